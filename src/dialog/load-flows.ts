import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../errors.js';
import type { PromptCatalogs } from '../prompts/index.js';
import { compileFlow, type CompiledFlow } from './compiler.js';
import type { Problem } from './problems.js';
import {
  throwIfProblems,
  validateFlows,
  type FlowSource,
  type ValidateOptions,
} from './validator.js';

/** Flow files are `<dir>/*.flow.json`; one flow (one id) per file. */
export const FLOW_FILE_SUFFIX = '.flow.json';

/**
 * Reads every flow file in `dir` as a FlowSource. Unparseable JSON becomes a `json` problem
 * instead of a throw, so one run reports every broken file. Throws FLOW_NOT_FOUND when `dir`
 * cannot be read.
 */
export async function readFlowSources(
  dir: string,
): Promise<{ sources: FlowSource[]; problems: Problem[] }> {
  const names = await readdir(dir).catch((err: unknown) => {
    throw new AppError('FLOW_NOT_FOUND', 'flows directory unreadable', { dir }, { cause: err });
  });
  const sources: FlowSource[] = [];
  const problems: Problem[] = [];
  for (const name of names.filter((n) => n.endsWith(FLOW_FILE_SUFFIX)).sort()) {
    const text = await readFile(path.join(dir, name), 'utf8');
    try {
      sources.push({ source: name, json: JSON.parse(text) });
    } catch (err) {
      problems.push({
        source: name,
        path: '',
        code: 'json',
        message: err instanceof Error ? err.message : 'invalid JSON',
      });
    }
  }
  return { sources, problems };
}

/** Validates all sources together and compiles them; throws FLOW_INVALID listing every problem. */
export function compileFlows(
  sources: FlowSource[],
  prompts: PromptCatalogs,
  opts: ValidateOptions = {},
): Map<string, CompiledFlow> {
  const { flows, problems } = validateFlows(sources, prompts, opts);
  throwIfProblems(problems);
  const compiled = new Map<string, CompiledFlow>();
  for (const [id, flow] of flows) compiled.set(id, compileFlow(flow, flows));
  return compiled;
}

/**
 * Boot-time loading: every `*.flow.json` in `dir`, validated against the vocabulary, `prompts`
 * and `opts.taskSpecs` (a flow naming an undeclared task is invalid), compiled. Throws one FLOW_INVALID error whose details.problems lists every problem
 * in every file, so a bad deploy fails at boot with the full list.
 */
export async function loadFlows(
  dir: string,
  prompts: PromptCatalogs,
  opts: ValidateOptions = {},
): Promise<Map<string, CompiledFlow>> {
  const { sources, problems } = await readFlowSources(dir);
  if (problems.length > 0) {
    const checked = validateFlows(sources, prompts, opts);
    throwIfProblems([...problems, ...checked.problems]);
  }
  return compileFlows(sources, prompts, opts);
}

/** The flow with `id`; throws FLOW_NOT_FOUND. */
export function getFlow(flows: ReadonlyMap<string, CompiledFlow>, id: string): CompiledFlow {
  const flow = flows.get(id);
  if (!flow)
    throw new AppError('FLOW_NOT_FOUND', 'no flow with this id', { id, known: [...flows.keys()] });
  return flow;
}
