import { Card, CardContent, Typography } from '@mui/material';
import type { ReactNode } from 'react';

/**
 * One titled part of a page (an alert, a case, an entity, the overview): an outlined card with its
 * heading. Stacked on a record's page it keeps a gap below; `fill` makes it fill a grid cell instead,
 * so the overview's panels in one row are the same height.
 */
export function Section({ title, children, testId, fill = false }: { title: string; children: ReactNode; testId?: string; fill?: boolean }) {
  return (
    <Card variant="outlined" sx={fill ? { height: '100%' } : { mb: 2 }} data-testid={testId}>
      <CardContent>
        <Typography variant="subtitle1" component="h2" gutterBottom>
          {title}
        </Typography>
        {children}
      </CardContent>
    </Card>
  );
}
