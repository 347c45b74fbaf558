export { createCalendar, CalendarError } from './calendar';
export { addNaturalDays } from './types';
export type { CalendarOptions, Due, LocalDate, WorkingCalendar } from './types';
