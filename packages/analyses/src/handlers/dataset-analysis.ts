import { datasetAnalysis } from '../contracts/index.ts';
import { fileTypes } from '@jobkit/contract';
import { defineHandler, JobFailure } from '@jobkit/worker';
import { analyseDataset, type DatasetFile, type DatasetProgress, type PassProgress } from './dataset/analyse.ts';
import { buildReport } from './dataset/report.ts';

const stageMessages: Record<DatasetProgress['stage'], string> = {
  scanning: 'Reading the file',
  recounting: 'Rereading the file for exact histograms and top values',
  reporting: 'Writing the report',
};

/** Percent ranges of the passes over the file: each reads it whole, so they take about as long. */
const passPercents: Record<PassProgress['stage'], readonly [number, number]> = { scanning: [2, 60], recounting: [60, 95] };

/**
 * Column types, counts, statistics, histograms, top values and correlations of an uploaded CSV or
 * XLSX file, streamed in one or two passes so a file of any length fits in bounded memory, and an
 * XLSX report of them stored beside the job.
 */
export const datasetAnalysisHandler = defineHandler(datasetAnalysis, async ({ input, progress, signal, files }) => {
  const info = await files.info(input.fileId);
  const file: DatasetFile = { name: info.name, format: formatOf(info.contentType), size: info.size, read: (fromByte) => files.read(info.id, { fromByte }) };
  if (file.size === 0) throw new JobFailure('NO_ROWS', 'This file is empty.', { retryable: false });

  const summary = await analyseDataset(file, input, {
    signal,
    onProgress(data) {
      const [from, to] = passPercents[data.stage];
      const share = data.bytesTotal > 0 ? Math.min(1, data.bytesRead / data.bytesTotal) : 0;
      progress(Math.floor(from + (to - from) * share), stageMessages[data.stage], data);
    },
  });

  progress(95, stageMessages.reporting, { stage: 'reporting', bytesRead: file.size, bytesTotal: file.size, rowsRead: summary.rowCount });
  const content = await buildReport(summary);
  signal.throwIfAborted();
  const report = await files.write({ name: `${info.name.replace(/\.(csv|tsv|txt|xlsx)$/i, '')} - analysis.xlsx`, contentType: fileTypes.xlsx.contentType }, content);
  return { ...summary, report: { fileId: report.id, name: report.name, size: report.size, contentType: report.contentType } };
});

function formatOf(contentType: string): DatasetFile['format'] {
  const type = contentType.split(';')[0]?.trim().toLowerCase();
  if (type === fileTypes.csv.contentType) return 'csv';
  if (type === fileTypes.xlsx.contentType) return 'xlsx';
  throw new JobFailure('UNSUPPORTED_FILE_TYPE', `Only CSV and Excel (XLSX) files can be analysed as datasets; this file is ${contentType}.`, {
    retryable: false,
  });
}
