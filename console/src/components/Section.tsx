import { Card, CardContent, Typography } from '@mui/material';
import type { ReactNode } from 'react';

/** One titled part of a record's page (an alert, a case, an entity): an outlined card with its heading. */
export function Section({ title, children, testId }: { title: string; children: ReactNode; testId?: string }) {
  return (
    <Card variant="outlined" sx={{ mb: 2 }} data-testid={testId}>
      <CardContent>
        <Typography variant="subtitle1" component="h2" gutterBottom>
          {title}
        </Typography>
        {children}
      </CardContent>
    </Card>
  );
}
