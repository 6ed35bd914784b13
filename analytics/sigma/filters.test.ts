import { RuleSet } from './backends/ruleset';
import type { SigmaFilter, SigmaRule } from './model';
import { parseSigmaYaml } from './parse';
import { applyFilters, filterApplies } from './filters';

const rule = parseSigmaYaml(`title: Net user add
id: 11111111-1111-4111-8111-111111111111
name: net_user_add
logsource:
    category: process_creation
    product: windows
detection:
    selection:
        CommandLine|contains|all: [net, user, /add]
    condition: selection
`).documents[0] as SigmaRule;

const filter = (rules: string, category = 'process_creation'): SigmaFilter =>
  parseSigmaYaml(`title: Admin accounts
logsource:
    category: ${category}
    product: windows
filter:
    rules: [${rules}]
    selection:
        User|startswith: 'adm_'
    condition: selection
`).documents[0] as SigmaFilter;

const event = (user: string) => ({ host: { os: { type: 'windows' } }, CommandLine: 'net user eve P@ss /add', User: user });

describe('Sigma filters', () => {
  test('a filter naming the rule by id suppresses matches its selection covers, and only those', () => {
    const set = new RuleSet({ filters: [filter('11111111-1111-4111-8111-111111111111')] });
    set.add(rule);
    expect(set.match(event('adm_li')).length).toBe(0);
    expect(set.match(event('bob')).map((m) => m.ruleId)).toEqual(['11111111-1111-4111-8111-111111111111']);
  });

  test('a filter may name the rule by its name, and may be added after the rule', () => {
    const set = new RuleSet();
    set.add(rule);
    expect(set.match(event('adm_li')).length).toBe(1);
    set.addFilter(filter('net_user_add'));
    expect(set.match(event('adm_li')).length).toBe(0);
  });

  test('a filter for another logsource or another rule leaves the rule untouched', () => {
    expect(filterApplies(filter('net_user_add', 'file_event'), rule)).toBe(false);
    expect(applyFilters(rule, [filter('some_other_rule')])).toBe(rule);
  });

  test('filter identifiers cannot collide with the rule identifiers they are folded into', () => {
    const tuned = applyFilters(rule, [filter('net_user_add')]);
    expect(Object.keys(tuned.detection.identifiers)).toEqual(['selection', '_filter0_selection']);
  });
});
