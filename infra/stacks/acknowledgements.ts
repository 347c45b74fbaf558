import type { StatefulStack } from './stateful';
import type { StatelessStack } from './stateless';

export function acknowledgeFindings(_stateful: StatefulStack, _stateless: StatelessStack): void {}
