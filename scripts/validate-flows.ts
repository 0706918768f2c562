/**
 * `npm run flows:validate [-- --flows <dir> --prompts <dir>]`: validates every flows/*.flow.json
 * against the schema, the vocabulary, the prompt catalogs and the declared tasks (ALL_TASK_SPECS);
 * prints each problem as "file: json.path: message [code]". Exit 0 when all flows are valid, 1
 * otherwise.
 */
import { parseArgs } from 'node:util';
import {
  readFlowSources,
  validateFlows,
  formatProblem,
  compileFlows,
} from '../src/dialog/index.js';
import { loadPromptCatalogs, type PromptCatalogs } from '../src/prompts/index.js';
import { AppError, errorSummary } from '../src/errors.js';
import { ALL_TASK_SPECS } from '../src/call/task-specs.js';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      flows: { type: 'string', default: 'flows' },
      prompts: { type: 'string', default: 'prompts' },
    },
  });
  let prompts: PromptCatalogs = new Map();
  const problems: string[] = [];
  try {
    prompts = await loadPromptCatalogs(values.prompts);
  } catch (err) {
    problems.push(...detailLines(err));
  }
  const read = await readFlowSources(values.flows);
  const opts = { taskSpecs: ALL_TASK_SPECS };
  const result = validateFlows(read.sources, prompts, opts);
  problems.push(...[...read.problems, ...result.problems].map(formatProblem));
  if (problems.length === 0) problems.push(...compileCheck(read.sources, prompts, opts));
  for (const [id, flow] of result.flows) {
    console.log(`ok   ${id} v${flow.version} (${Object.keys(flow.states).length} states)`);
  }
  for (const p of problems) console.log(`FAIL ${p}`);
  console.log(`${result.flows.size} valid, ${problems.length} problem(s)`);
  return problems.length === 0 ? 0 : 1;
}

function compileCheck(...args: Parameters<typeof compileFlows>): string[] {
  try {
    compileFlows(...args);
    return [];
  } catch (err) {
    return detailLines(err);
  }
}

function detailLines(err: unknown): string[] {
  const lines = err instanceof AppError ? err.details?.problems : undefined;
  if (Array.isArray(lines)) return lines.map(String);
  const s = errorSummary(err);
  return [`${s.code}: ${s.message}`];
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(errorSummary(err));
    process.exit(2);
  },
);
