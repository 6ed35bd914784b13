/** A policy change as a diff: the line removed (-) and the line added (+), the values that differ marked. */
import { Box } from '@mui/material';
import { type PolicyChangeRecord, policyDiff } from '../../data/policies';

const COLORS = { '-': { bg: 'rgba(211, 47, 47, 0.10)', fg: '#b71c1c' }, '+': { bg: 'rgba(46, 125, 50, 0.10)', fg: '#1b5e20' } } as const;

export function PolicyDiff({ change }: { change: Pick<PolicyChangeRecord, 'ptype' | 'before' | 'after'> }) {
  return (
    <Box component="pre" sx={{ m: 0, fontFamily: 'monospace', fontSize: 12, whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
      {policyDiff(change).map((l) => (
        <Box
          key={l.sign}
          component="div"
          data-testid="policy-diff-line"
          data-sign={l.sign}
          sx={{ bgcolor: COLORS[l.sign].bg, color: COLORS[l.sign].fg, px: 0.5 }}
        >
          {`${l.sign} ${l.ptype}, `}
          {l.values.map((v, i) => (
            <span key={i}>
              {i > 0 && ', '}
              {l.changed[i] ? (
                <Box
                  component="mark"
                  data-testid="policy-diff-value"
                  sx={{ bgcolor: l.sign === '-' ? 'rgba(211,47,47,0.25)' : 'rgba(46,125,50,0.25)', color: 'inherit' }}
                >
                  {v}
                </Box>
              ) : (
                v
              )}
            </span>
          ))}
        </Box>
      ))}
    </Box>
  );
}
