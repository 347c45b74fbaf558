/**
 * The levers tried on the pipeline, each measured by this section (full mode) on the code before and after
 * it, back to back on the same machine. Kept here because a run measures only the code it runs; each row
 * says which commits were compared. A new lever adds its row from two such runs.
 */
import { table } from '#bench/util';

interface Lever {
  readonly lever: string;
  readonly compared: string;
  /** DynamoDB requests per event of the day, before → after. */
  readonly requests: readonly [number, number];
  readonly eventsPerSecond: readonly [number, number];
  /** Pipeline rate / the raw write rate of the same run, before → after. */
  readonly ratio: readonly [number, number];
  /** DynamoDB Local's CPU per event (ms), before → after. */
  readonly jvmMsPerEvent: readonly [number, number];
  /** Write units per event of the day, before → after (not recorded for the first levers). */
  readonly writeUnits?: readonly [number, number];
  /** The write units were counted before the meter sized items as DynamoDB receives them (see the note under the table). */
  readonly writeUnitsUnmarshalled?: true;
}

const LEVERS: readonly Lever[] = [
  {
    lever:
      'registry: a batch\'s profiles written in one group write, their re-matches sent in one send; the re-match reads profile and credit record in one request and the active policies once per batch',
    compared: 'b63d3c2 → 7b9420a (2026-12-03)',
    requests: [2.26, 2.01],
    eventsPerSecond: [69.3, 91.2],
    ratio: [0.06, 0.07],
    jvmMsPerEvent: [10.2, 9.5],
  },
  {
    lever: 'approval: the item, profile and credit record of a batch\'s submissions read ahead in one BatchGetItem',
    compared: '7b9420a → 6279448 (2026-12-03; read once per key)',
    requests: [2.01, 1.96],
    eventsPerSecond: [91.2, 99.6],
    ratio: [0.07, 0.08],
    jvmMsPerEvent: [9.5, 8.9],
  },
  {
    lever: 'approval: the read-ahead shared by every record of the batch (the day\'s applications then shared the samples\' three applicants, so read once per key it saved little)',
    compared: '6279448 → 612f7bb (2026-12-03; the second run on a busier machine: raw write rate 868 writes/s at its start)',
    requests: [1.96, 1.57],
    eventsPerSecond: [99.6, 80.7],
    ratio: [0.08, 0.07],
    jvmMsPerEvent: [8.9, 8.2],
  },
  {
    lever:
      'review: a completed case in a batch decided as new without its Query (a conflict redoes it on a read); the stand-in\'s CPU per event barely moved: a Query of a small partition is cheap, the transactions\' items are what it parses',
    compared: '823263e → e94ae16 (2026-12-03; Query 33,265 → 18,570 of the day)',
    requests: [1.58, 1.02],
    eventsPerSecond: [117, 118],
    ratio: [0.07, 0.08],
    jvmMsPerEvent: [7.4, 7.3],
    // About 389 k → 401 k units over 26,001 events: more, smaller review batches, each writing its counter rows.
    writeUnits: [15.0, 15.4],
    writeUnitsUnmarshalled: true,
  },
  {
    lever:
      'approval: a submission\'s application kept in its first version (V#000001 already held it in the facts the decision saw), not in an APPLICATION item: one item fewer per submission, so a batch of 20 first decisions (5 items each) fits one transaction of 100 items instead of two',
    compared: '4e069a5 → e78fc44 (2026-12-04; TransactWriteItems 3,725 → 3,084 of the day)',
    requests: [1.07, 1.05],
    eventsPerSecond: [112, 162],
    ratio: [0.07, 0.11],
    jvmMsPerEvent: [7.3, 5.2],
    writeUnits: [16.0, 15.0],
    writeUnitsUnmarshalled: true,
  },
  {
    lever:
      'not a lever but a fidelity change: the bench\'s pollers wait out batching windows as Lambda does, and the approval queue has no window (batches of up to 10) so that 秒批 meets p99 ≤ 1 s in AWS too; the review consumer now gets batches of ~49 records (426 invocations; counts before c7a2ba0 were per delete of at most 10 records)',
    compared: 'e78fc44 → c7a2ba0 (2026-12-04; approval transactions of 50 items instead of 100)',
    requests: [1.05, 1.09],
    eventsPerSecond: [162, 164],
    ratio: [0.11, 0.1],
    jvmMsPerEvent: [5.2, 5.3],
    writeUnits: [15.0, 14.6],
    writeUnitsUnmarshalled: true,
  },
  {
    lever:
      'not a lever but a fidelity change: each cloned application by an applicant of its own (its records posted before the day), where all had named the samples\' three: the approval read-ahead now reads as many keys as a real batch has (read units 0.7 → 1.0 per event; the stand-in\'s CPU per BatchGetItem 1.1 → 1.9 ms), the rest within the noise',
    compared: '09632a4 → eb8a63a (2026-12-04)',
    requests: [1.07, 1.1],
    eventsPerSecond: [140, 153],
    ratio: [0.09, 0.09],
    jvmMsPerEvent: [6.1, 5.7],
    writeUnits: [16.4, 16.9],
  },
  {
    lever:
      'approval: a batch\'s applicants\' licences read ahead in one PartiQL SELECT on gsi1 instead of a Query per application (Query 18,367 → 6,867 of the day, plus 1,200 SELECTs): the Node process\'s CPU over the day 78.1 → 66.0 s; the stand-in\'s CPU per event unchanged (in the replay a SELECT of ten holders cost it 1.4 ms where ten Queries cost 8.7, but the day\'s transactions, 2,790 → 3,288 as the group commit happened to split them, moved it as much)',
    compared: 'eabfc6a → 29d63df (2026-12-04)',
    requests: [1.05, 0.67],
    eventsPerSecond: [157, 171],
    ratio: [0.1, 0.11],
    jvmMsPerEvent: [5.43, 5.43],
    writeUnits: [16.0, 16.7],
  },
  {
    lever:
      'review: the cases a batch\'s reviews and steps name read ahead in one strongly consistent PartiQL SELECT per 50 cases, each taken by the first record that names its case (Query 7,222 → 968 of the day, plus 185 SELECTs): the Node process\'s CPU over the day 84.4 → 75.2 s. A second pair run the other way round (after first) gave requests per event 0.68 → 0.52 (Query 6,899 → 1,672: more batches held a single reviewed case, or a case the batch had just written), events/s 144 → 143, the stand-in\'s CPU per event 6.40 → 6.57 ms and the Node process 80.3 → 72.7 s: fewer requests and less of the handlers\' CPU, the stand-in\'s CPU per event within the noise either way',
    compared: '6ff9f2b → f4ed9a1 (2026-12-04)',
    requests: [0.7, 0.46],
    eventsPerSecond: [130, 146],
    ratio: [0.1, 0.13],
    jvmMsPerEvent: [7.07, 6.37],
    writeUnits: [17.2, 16.8],
  },
  {
    lever:
      'approval: an outbox in the byDue index only when the deadlines schedule is to resend it (measured here: the outboxes holding nothing but outbound events and a hard-case notice; 6bb5b03 then kept only those of the schedule\'s own changes, which also takes a 容缺 acceptance\'s out: see its cost in the cost section): the others wait as `pending: true` in no index. A bill lever, not a stand-in one: per application 1–2 write units fewer in the cost section (commitment 26.8 → 24.8, outdoor 23.8 → 22.8, weather 21.8 → 20.8), the day\'s mix $9.36–9.38 → $9.11–9.15 per million; the stand-in\'s CPU per event unchanged (an index entry costs it little: the shapes table). Four runs, alternating; the figures here are the two whose group commits split the day alike (3,289 and 3,287 transactions); the other two split it into 3,912 and 3,689 and ran at 129 and 148 events/s, whatever the code',
    compared: 'ed64765 → ef1c42f (2026-12-05)',
    requests: [0.45, 0.45],
    eventsPerSecond: [162, 162],
    ratio: [0.11, 0.11],
    jvmMsPerEvent: [5.68, 5.65],
    writeUnits: [16.71, 16.26],
  },
  {
    lever:
      'approval: a version an event made keeps no outbox item (what it sends is derived from the version, and the event\'s redelivery sends it again, same ids); only the deadlines schedule\'s own changes keep one. A first decision writes 4 items in its transaction instead of 5 and is not marked sent afterwards: BatchWriteItem 1,572 → 504 of the day, items written in batches 1.51 → 1.05 per event; in the cost section 3–6 write units fewer per application, the day\'s mix $9.13 → $8.10 per million. On the stand-in no gain showed: the day\'s transactions went up (3,773 → 4,580) with its Queries (1,365 → 2,165), so the items written inside transactions per event stayed at 6.1. A second pair, run the other way round (after first), moved the same way: transactions 3,392 → 4,258, Queries 973 → 1,836, write units 16.3 → 15.7, events/s 145 → 160, the stand-in\'s CPU per event 6.31 → 5.89 ms. Those are the review consumer\'s: a record that conflicts (a review parked before its case, then the case) runs again alone, one Query and one transaction more, and the rest of its batch is written again. A temporary counter in a pair of quick runs found 100 such records on the code before and none after, and the full run of cf420f5 that wrote this file had 3,685 transactions and 1,265 Queries (5.54 items inside transactions and 14.9 write units per event, 181 events/s): they follow the order the review queue delivers in, not this lever',
    compared: '9ca3418 → 7a9ea56 (2026-12-05)',
    requests: [0.49, 0.51],
    eventsPerSecond: [166, 157],
    ratio: [0.11, 0.12],
    jvmMsPerEvent: [5.59, 5.95],
    writeUnits: [16.8, 16.1],
  },
  {
    lever:
      'approval and 一件事: a decision version packed (its JSON and a first version\'s facts in one raw deflate stream with a preset dictionary) instead of a gzip body and the facts deflated apart; a bill lever (the cost section: 2 write units fewer per application whose first version crossed a KB boundary, the day\'s mix $8.09 → $7.75 per million). On the stand-in the day\'s transactions split alike (3,587 and 3,582), the mean put inside them went from 0.59 to 0.53 KB, and its CPU per event moved within the noise. The events per second moved with the machine, not the lever: the raw write rate measured in the same runs went from 1.2 k to 1.5 k writes/s, and the ratio stayed at 0.12×',
    compared: '9786cde → d78bbbe (2026-12-05)',
    requests: [0.43, 0.43],
    eventsPerSecond: [144, 179],
    ratio: [0.12, 0.12],
    jvmMsPerEvent: [5.45, 5.27],
    writeUnits: [14.8, 14.1],
  },
  {
    lever:
      'not a lever but a fidelity change: each review posted ten rounds (about 4,000 events) after its case, as a citizen reviews a service after it is done, and 1 in 100 just before its case (out of order). Before, every review came in the round of its case, so the review consumer\'s two pollers took a case and its review in concurrent batches: the review found no case and was parked, and the case, decided as new, conflicted and was redone alone with the rest of its transaction written again. Records redone after a conflict 1,200 → 53 of the day\'s 35,000 group-committed changes; TransactWriteItems 3,887 → 2,794 and Query 1,465 → 360 of the day; items written inside transactions 5.67 → 5.13 per event; the figures of the day exact in both',
    compared: '39c3c44 → 258eec8 (2026-12-05)',
    requests: [0.45, 0.37],
    eventsPerSecond: [163, 179],
    ratio: [0.11, 0.13],
    jvmMsPerEvent: [5.8, 5.21],
    writeUnits: [14.5, 13.4],
  },
];

const pair = ([before, after]: readonly [number, number], digits: number) => `${before.toFixed(digits)} → ${after.toFixed(digits)}`;

/** The levers table of the pipeline section (markdown lines). */
export function leverLines(): string[] {
  return [
    'Levers measured (each by this section on the code before and after it, back to back; the machine\'s noise between',
    'runs is about ±15 % in events/s, so the requests per event and the stand-in\'s CPU per event are the steadier figures):',
    '',
    table(
      ['lever', 'compared', 'requests / event', 'write units / event', 'events/s', 'rate / raw write rate', 'DynamoDB Local ms / event'],
      LEVERS.map((l) => [
        l.lever,
        l.compared,
        pair(l.requests, 2),
        l.writeUnits ? `${pair(l.writeUnits, 1)}${l.writeUnitsUnmarshalled ? ' *' : ''}` : '—',
        pair(l.eventsPerSecond, 1),
        pair(l.ratio, 2),
        pair(l.jvmMsPerEvent, 1),
      ]),
    ),
    '',
    '\\* These write units were counted before the meter sized items as DynamoDB receives them: it read the',
    'plain values a handler passed, before the document client marshalled them, so every item weighed its attribute',
    'names only and counted as 1 KB. Compare them with each other, not with the write units above.',
  ];
}

/** A lever on one event type's bill, measured by the cost section on the code before and after it. */
interface CostLever {
  readonly lever: string;
  readonly compared: string;
  /** The cost table's row it was measured on. */
  readonly row: string;
  /** Write units per event of that row, before → after. */
  readonly writeUnits: readonly [number, number];
  /** That row's dollars per million events, before → after. */
  readonly perMillion: readonly [number, number];
}

const COST_LEVERS: readonly CostLever[] = [
  {
    lever: 'bundle: an outbox in the byDue index only when the deadlines schedule made its version (as approval outboxes, 6bb5b03); the others wait as `pending: true` in no index',
    compared: '4685be9 with 5e0d084\'s store change undone → 4685be9 (2026-12-05)',
    row: '一件事 bundle application',
    writeUnits: [51.8, 40.07],
    perMillion: [35.55, 28.44],
  },
  {
    lever: 'bundle: the outbox item only marks its version as still to be sent; what it sends (a decision event per child and the roll-up, several KB) is derived from the immutable version, so neither its put nor its mark as sent pays for those KB',
    compared: '4685be9 → 5c5f058 (2026-12-05)',
    row: '一件事 bundle application',
    writeUnits: [40.07, 24.8],
    perMillion: [28.44, 18.53],
  },
  {
    lever:
      'approval: a version an event made keeps no outbox item (2 units in the transaction, 2 more when over 1 KB, and 1–2 to mark it sent); its event\'s redelivery sends what the version derives again. Every application row: commitment 24.8 → 18.8, outdoor 22.8 → 19.8, weather 20.8 → 17.8, pending materials 18.0 → 15.0; the day\'s mix $9.13 → $8.10 per million',
    compared: '9ca3418 → 7a9ea56 (2026-12-05)',
    row: 'commitment-no-criminal-record application',
    writeUnits: [24.8, 18.8],
    perMillion: [16.42, 12.53],
  },
  {
    lever: 'bundle: a version an event made keeps no outbox marker either (2 units in the transaction, 1 to mark it sent); only the schedule\'s own versions have one',
    compared: '7a9ea56 → 2d7289d (2026-12-05)',
    row: '一件事 bundle application',
    writeUnits: [24.8, 21.8],
    perMillion: [18.63, 16.7],
  },
  {
    lever:
      'approval: a decision version packed (its JSON and, on a first version, the facts it saw, in one raw deflate stream with a preset dictionary of the keys and fixed wording every decision shares) instead of a gzip body and the facts deflated apart: first versions 1.6–2.4 KB → 0.95–1.55 KB. Each KB boundary crossed is 2 units in the transaction: outdoor 19.8 → 17.8, weather 17.8 → 15.8, pending materials 15.0 → 13.0; commitment stays at 18.8 (its version 1.1 KB); the day\'s mix $8.09 → $7.75 per million. The dictionary\'s skeletons were taken from these samples\' structure (their keys, not their text): with a sample\'s own skeleton left out, its version is 60–230 bytes larger, which would keep weather\'s at 2 KB (1,047 bytes) and the others as here',
    compared: '9786cde → d78bbbe (2026-12-05)',
    row: 'instant-outdoor-advertising application',
    writeUnits: [19.8, 17.8],
    perMillion: [13.13, 11.91],
  },
  {
    lever: 'bundle: a bundle version packed with the same dictionary (2.8 KB → 1.9 KB: the five children\'s decisions share their keys and wording). With no bundle skeleton in the dictionary it would be 2,134 bytes, still 3 KB',
    compared: '9786cde → d78bbbe (2026-12-05)',
    row: '一件事 bundle application',
    writeUnits: [21.8, 19.93],
    perMillion: [16.66, 15.68],
  },
  {
    lever:
      'review: figure rows kept per day only, a month read as the sum of its days (one BatchGetItem for a key, a Query per day for a dimension): a change adds to one row per dimension instead of two, each row an update of 2 units in the transaction. A batch shares its rows, so in bursts a case moved 8.96 → 8.48 and a review 10.04 → 9.08; alone, a case 32.0 → 20.0, a review 32.6 → 20.6 and an application that opens a case 10 units less. The day\'s mix $7.71 → $7.47 per million in bursts, $19.97 → $14.98 one at a time',
    compared: 'da311ec → 38038ff (2026-12-05)',
    row: 'gov.case.completed, one at a time',
    writeUnits: [32.0, 20.0],
    perMillion: [22.07, 14.41],
  },
  {
    lever:
      'review: the figures\' `all` read as the sum of the day\'s channel rows (every case has exactly one channel) instead of a row of its own: one counter update fewer for every change. Alone, a case 20.0 → 18.0, a review 20.6 → 18.6, an application that opens a case 2 units less; in bursts a few hundredths. The day\'s mix $7.50 → $7.43 per million in bursts, $15.05 → $14.16 one at a time',
    compared: '27f5c19 → 68c6efd (2026-12-05)',
    row: 'gov.case.completed, one at a time',
    writeUnits: [20.0, 18.0],
    perMillion: [14.47, 13.2],
  },
  {
    lever:
      'review: one figure row per (department, channel, district) of a day, which those three dimensions and `all` are summed from when read, instead of a row of each: a change adds to its item\'s row, its staff member\'s and the shared one, two counter updates fewer. Alone, a case 18.0 → 14.0, a review 18.6 → 14.6, an application that opens a case and a 一件事 bundle application 4 units less; in bursts 0.1–0.2 less. The day\'s mix $7.44 → $7.38 per million in bursts, $14.22 → $12.47 one at a time',
    compared: 'f4bc8a2 → 4c00d90 (2026-12-06)',
    row: 'gov.case.completed, one at a time',
    writeUnits: [18.0, 14.0],
    perMillion: [13.17, 10.68],
  },
];

/** The levers table of the cost section (markdown lines). */
export function costLeverLines(): string[] {
  return [
    'Levers on one event type\'s bill (each measured by this section on the code before and after it, back to back; write',
    'units per event are counted, not timed: they move by a few hundredths between runs):',
    '',
    table(
      ['lever', 'compared', 'row', 'write units / event', '$ per M events'],
      COST_LEVERS.map((l) => [l.lever, l.compared, l.row, pair(l.writeUnits, 1), `$${pair(l.perMillion, 2).replace(' → ', ' → $')}`]),
    ),
  ];
}
