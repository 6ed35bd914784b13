import { pick, render, valueAt } from './message';

const msg = {
  alert: {
    id: 'a1',
    rule: { name: 'SSH' },
    entities: [
      { type: 'user', value: 'wu' },
      { type: 'ip', value: '10.1.2.3' },
    ],
  },
  n: 0,
  o: { k: 1 },
};

describe('reading a message for node settings', () => {
  it('reads dotted paths, array positions included', () => {
    expect(valueAt(msg, 'alert.entities.1.value')).toBe('10.1.2.3');
    expect(valueAt(msg, 'alert.missing.x')).toBeUndefined();
  });
  it('never reaches a prototype', () => {
    expect(valueAt(msg, '__proto__')).toBeUndefined();
    expect(valueAt(msg, 'alert.constructor')).toBeUndefined();
    expect(valueAt(msg, 'alert.toString')).toBeUndefined();
    expect(render('{{constructor.name}}{{__proto__}}', msg)).toBe('');
  });
  it('renders {{path}} templates: text as is, objects as JSON, missing values empty; nothing is evaluated', () => {
    expect(render('{{ alert.rule.name }} on {{alert.id}}: {{o}} {{n}} [{{nope}}]', msg)).toBe('SSH on a1: {"k":1} 0 []');
    expect(render('{{#alert}}x{{/alert}} {{alert.id | upper}}', msg)).toBe('{{#alert}}x{{/alert}} {{alert.id | upper}}');
  });
  it('bounds what a template renders to 8 KiB', () => {
    expect(render('{{o}}'.repeat(3000), msg)).toHaveLength(8192);
  });
  it('picks a literal, a msg. path, or else the first entity of the type', () => {
    expect(pick('li', msg, 'user')).toBe('li');
    expect(pick('msg.alert.entities.1.value', msg)).toBe('10.1.2.3');
    expect(pick('msg.o', msg)).toBeUndefined();
    expect(pick('', msg, 'user')).toBe('wu');
    expect(pick(undefined, msg, 'host')).toBeUndefined();
  });
});
