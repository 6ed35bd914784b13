/** A risk level as a coloured chip and an explanation in the user's language. */
import { Chip } from '@mui/material';
import { useLocaleState, useRecordContext, useTranslate } from 'react-admin';
import type { EntityRisk, UebaText } from '../../data/entities';

const LEVEL_COLOR: Record<string, 'default' | 'info' | 'warning' | 'error' | 'secondary'> = {
  none: 'default',
  low: 'info',
  moderate: 'warning',
  high: 'error',
  critical: 'secondary',
};

export function LevelChip({ level }: { level: string }) {
  const t = useTranslate();
  return <Chip size="small" color={LEVEL_COLOR[level] ?? 'default'} label={t(`citysoc.entities.level.${level}`, { _: level })} />;
}

export function LevelField(_: { label?: string }) {
  const r = useRecordContext<EntityRisk>();
  return r ? <LevelChip level={r.level} /> : null;
}

/** The server explains in both languages; the console shows the user's. */
export function useUebaText(): (text: UebaText | null | undefined) => string {
  const [locale] = useLocaleState();
  return (text) => (text ? (locale.startsWith('zh') ? text.zh : text.en) : '');
}
