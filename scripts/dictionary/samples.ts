/**
 * The shapes a dictionary is built from: the first decision of each sample application in `events/samples`
 * (instant, 容缺 and commitment; a person's and an enterprise's) with the facts it read, and a 企业开办
 * 一件事 bundle version (five children), each decided by the product's own code from the sample items and
 * registry records, as the approval consumer would decide them. Add a sample application of a new shape to
 * `events/samples/gov.application.submitted` and it is taken too.
 */
import { decide, type DecideInput } from '#approval/domain/decide';
import { decideBundle } from '#approval/domain/bundle/application';
import { factsOf } from '#approval/domain/replay';
import { toDomainLicence } from '#approval/adapters';
import { applicationOf } from '#approval/inbound';
import { createCalendar } from '#calendar';
import type { CreditRecord, ServiceItem } from '#contract/schemas';
import { stageConfig } from '#topology/stages';
import { sampleEvents as events } from '#bench/fixtures/samples';
import { bundleApplication, bundleSeed } from '#bench/runtime/bundle-load';
import type { Sample } from './build';

/** The registry's sample records, read once; `of` gives one applicant's as the approval consumer reads them. */
function registrySamples() {
  const profiles = [...events('gov.person.profile.updated'), ...events('gov.enterprise.profile.updated')].map((e) => e.event.data);
  const licences = events('gov.licence.issued').map((e) => toDomainLicence(e.event.data));
  const credits = events('gov.credit.updated').map((e) => e.event.data as CreditRecord);
  return {
    of(applicantId: string) {
      const profile = profiles.find((p) => p.idNumber === applicantId || p.creditCode === applicantId);
      const credit = credits.find((c) => c.subjectId === applicantId);
      return { ...(profile === undefined ? {} : { profile }), licences: licences.filter((l) => l.holderId === applicantId), ...(credit === undefined ? {} : { credit }) };
    },
  };
}

type Submitted = Parameters<typeof applicationOf>[0];

/** Each sample's decision moment: two seconds after it was submitted. */
const decidedAt = (submittedAt: string) => new Date(Date.parse(submittedAt) + 2000).toISOString();

export function dictionarySamples(): Sample[] {
  const stage = stageConfig('local');
  const calendar = createCalendar({ timeZone: stage.timeZone, useChineseDays: stage.calendar.useChineseDays, holidays: stage.calendar.holidays, workdays: stage.calendar.workdays });
  const registry = registrySamples();
  const items = new Map(events('gov.catalog.item.published').map((e) => [e.event.data.itemCode as string, e.event.data as ServiceItem]));
  const samples: Sample[] = [];
  for (const { name, event } of events<Submitted>('gov.application.submitted')) {
    const submitted = applicationOf(event);
    if (submitted.kind !== 'item') continue;
    const { application } = submitted;
    const input: DecideInput = { application, item: items.get(application.itemCode), ...registry.of(application.applicant.id), now: decidedAt(application.submittedAt), calendar };
    samples.push({ label: name, body: decide(input), facts: factsOf(input) });
  }
  const [itemEvents = [], [bundleEvent] = []] = bundleSeed();
  const bundleItems = new Map(itemEvents.map((e) => [e.data.itemCode as string, e.data as ServiceItem]));
  const submitted = applicationOf(bundleApplication('dictionary-bundle', 'YJS-DICTIONARY-1') as Submitted);
  if (submitted.kind !== 'bundle') throw new Error('the bench\'s 企业开办 application names no bundle');
  const { application } = submitted;
  const state = decideBundle(application, { bundle: bundleEvent?.data, items: bundleItems, ...registry.of(application.applicant.id), now: decidedAt(application.submittedAt), calendar });
  samples.push({ label: '企业开办 bundle', body: state });
  return samples;
}
