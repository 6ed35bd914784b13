/** A case's comments (its timeline's comment entries) and adding one. */
import { Box, Button, List as MuiList, ListItem, ListItemText, TextField, Typography } from '@mui/material';
import { useState } from 'react';
import { CanAccess, useTranslate } from 'react-admin';
import { When } from '../../components/When';
import type { CaseRecord } from '../../data/cases';
import { useCaseChange } from './useCaseChange';

export function CaseComments({ c }: { c: CaseRecord }) {
  const t = useTranslate();
  const { pending, run } = useCaseChange(c.id);
  const [text, setText] = useState('');
  const comments = c.timeline.filter((e) => e.action === 'comment');
  return (
    <>
      {comments.length === 0 && (
        <Typography variant="body2" color="text.secondary">
          {t('citysoc.cases.no_comments')}
        </Typography>
      )}
      <MuiList dense data-testid="case-comments">
        {comments.map((e) => (
          <ListItem key={`${e.case ?? ''}${e.seq}`} disableGutters>
            <ListItemText
              primary={String((e.details as { text?: unknown } | null)?.text ?? '')}
              secondary={
                <>
                  {e.actor} · <When value={e.at} />
                </>
              }
            />
          </ListItem>
        ))}
      </MuiList>
      {!c.mergedInto && (
        <CanAccess resource="cases" action="work">
          <Box sx={{ display: 'flex', gap: 1, alignItems: 'flex-start' }}>
            <TextField
              label={t('citysoc.cases.comment')}
              value={text}
              onChange={(e) => setText(e.target.value)}
              multiline
              minRows={2}
              fullWidth
              name="comment"
            />
            <Button
              variant="contained"
              disabled={pending || text.trim() === ''}
              onClick={() => void run('commentCase', { text: text.trim() }, 'citysoc.cases.commented').then((ok) => ok && setText(''))}
            >
              {t('citysoc.cases.add_comment')}
            </Button>
          </Box>
        </CanAccess>
      )}
    </>
  );
}
