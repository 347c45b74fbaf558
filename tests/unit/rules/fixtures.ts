import type { Leaf, Operator } from '#rules';

/** A leaf maker whose ids are `<prefix>-1`, `<prefix>-2`, … (unique within a test file). */
export function leafMaker(prefix: string): (fact: string, op: Operator, value?: unknown) => Leaf {
  let seq = 0;
  return (fact, op, value) => ({
    id: `${prefix}-${++seq}`,
    description: '测试条件',
    fact,
    op,
    ...(value === undefined ? {} : { value }),
  });
}
