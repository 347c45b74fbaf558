export { createCalendar, CalendarError, uncoveredYear } from './calendar';
export { addNaturalDays, daysOfMonth } from './types';
export type { CalendarOptions, Due, LocalDate, WorkingCalendar } from './types';
