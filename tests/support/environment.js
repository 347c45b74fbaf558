// Jest's node environment, plus a flag a test file's own code can read: whether any of its tests or hooks
// failed. tests/support/runtime.ts keeps the runtime's log only then, and prints where it is.
import { TestEnvironment } from 'jest-environment-node';

export default class CivicFlowEnvironment extends TestEnvironment {
  async handleTestEvent(event) {
    if (event.name === 'test_fn_failure' || event.name === 'hook_failure') this.global.__civicflowFailed = true;
  }
}
