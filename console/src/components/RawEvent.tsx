import { Box } from '@mui/material';

/** The event as stored (ECS JSON), with `event.original` as it arrived. */
export function RawEvent({ event }: { event: Record<string, unknown> }) {
  const { id: _id, ...rest } = event;
  return (
    <Box
      component="pre"
      data-testid="raw-event"
      sx={{ m: 0, p: 1, fontSize: 12, bgcolor: 'grey.100', overflow: 'auto', maxHeight: 360, whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}
    >
      {JSON.stringify(rest, null, 2)}
    </Box>
  );
}
