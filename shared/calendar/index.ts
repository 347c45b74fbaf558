export { createCalendar, CalendarError } from './calendar';
export { addNaturalDays, daysOfMonth } from './types';
export type { CalendarOptions, Due, LocalDate, WorkingCalendar } from './types';
