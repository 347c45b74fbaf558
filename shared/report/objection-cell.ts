/**
 * A policy's third-party objections in one cell of the terminal's and the page's 政策明细: filed / upheld /
 * dismissed (a filed one may still be open). Its own module: the two tables' modules import each other.
 */
import type { PolicyRow } from './domain/build';

export const OBJECTION_FIELDS = ['objectionsFiled', 'objectionsUpheld', 'objectionsDismissed'] as const satisfies readonly (keyof PolicyRow)[];

export const objectionsCell = (p: PolicyRow): string => `${p.objectionsFiled}/${p.objectionsUpheld}/${p.objectionsDismissed}`;
