/** The console's two message catalogues hold the same keys: react-admin's (ra-language-english's list) and CitySOC's. */
import englishMessages from 'ra-language-english';
import { en } from '../src/i18n/en';
import { raZhCN } from '../src/i18n/ra-zh-CN';
import { zhCN } from '../src/i18n/zh-CN';

type Tree = { [k: string]: string | Tree };

function flatten(t: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(t)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') out.set(key, v);
    else for (const [kk, vv] of flatten(v, key)) out.set(kk, vv);
  }
  return out;
}

const placeholders = (s: string) => new Set([...s.matchAll(/%\{(\w+)\}/g)].map((m) => m[1]!));

const EN = flatten({ ...(englishMessages as unknown as Tree), ...(en as unknown as Tree) });
const ZH = flatten({ ...(raZhCN as unknown as Tree), ...(zhCN as unknown as Tree) });

describe('the console messages', () => {
  it('cover every react-admin key of ra-language-english in zh-CN', () => {
    const ra = [...flatten(englishMessages as unknown as Tree).keys()];
    expect(ra.length).toBeGreaterThan(150);
    expect(ra.filter((k) => !ZH.has(k))).toEqual([]);
  });

  it('have the same keys in zh-CN and English', () => {
    expect([...ZH.keys()].filter((k) => !EN.has(k))).toEqual([]);
    expect([...EN.keys()].filter((k) => !ZH.has(k))).toEqual([]);
  });

  it('use in zh-CN only placeholders the English message has, and every English placeholder of CitySOC messages', () => {
    const extra = [...ZH].filter(([k, v]) => [...placeholders(v)].some((p) => !placeholders(EN.get(k) ?? '').has(p)));
    expect(extra).toEqual([]);
    const missing = [...flatten(zhCN as unknown as Tree)].filter(([k, v]) =>
      [...placeholders(EN.get(k) ?? '')].some((p) => p !== 'smart_count' && !placeholders(v).has(p)),
    );
    expect(missing).toEqual([]);
  });

  it('translate CitySOC labels into Chinese (no empty or English-only zh-CN message)', () => {
    const untranslated = [...flatten(zhCN as unknown as Tree)].filter(([, v]) => v.trim() === '' || !/[\u4e00-\u9fff]/.test(v)).map(([k]) => k);
    // Names that are the same in both languages.
    expect(untranslated).toEqual(['citysoc.entity.ip']);
  });
});
