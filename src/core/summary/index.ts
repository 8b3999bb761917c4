/** model.summary() exactly as Keras 3 prints it: rows as data, and the text. */
export { kerasSummary, summaryText, kerasShape, readableMemorySize, groupThousands, paramTotals, DEFAULT_COLUMNS } from './render';
export type { KerasSummary, SummaryOptions, SummaryRow, SummaryTotal } from './render';
