export * from './build';
export { renderHtml, renderText, formatValue, displayWidth, textTable, SECTIONS } from './render';
