// The approval use cases over in-memory ports, with the reference data the tests' applications read.
import { createApprovalService, createDeadlinesService } from '#approval/service';
import type { Cause } from '#approval/domain/decision';
import { memoryApproval, type MemoryApproval } from '#support/memory/approval';
import { calendar, credit, criminalRecordItem, ENTERPRISE, enterpriseProfile, businessLicence, idCard, NOW, PERSON, personProfile, posterItem, propertyCert, weatherItem } from './fixtures';

/** `receiptGraceMs`: the deadlines schedule's wait after a deadline (none unless a test sets one). */
export function approvalWorld(now = NOW, receiptGraceMs = 0) {
  const world: MemoryApproval = memoryApproval({ now, calendar });
  const { registry } = world;
  for (const item of [weatherItem, posterItem, criminalRecordItem]) registry.putItem(item);
  registry.profiles.set(PERSON.id, { idNumber: PERSON.id, ...personProfile });
  registry.profiles.set(ENTERPRISE.id, { creditCode: ENTERPRISE.id, ...enterpriseProfile });
  registry.credits.set(PERSON.id, credit({ subjectId: PERSON.id }));
  registry.licences = [idCard, businessLicence, propertyCert];
  return { ...world, approval: createApprovalService(world.ports), deadlines: createDeadlinesService({ ...world.ports, receiptGraceMs }) };
}

export const portal = (id: string, type = 'gov.application.submitted'): Cause => ({ source: '/gov/portal', id, type });
