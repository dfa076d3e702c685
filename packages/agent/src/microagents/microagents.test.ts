import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAction } from '@deft/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadMicroagents, matchKnowledge } from './loader.js';
import { createRecallHandler } from './memory.js';
import { parseMicroagent } from './microagent.js';

describe('microagents (reference §9.3)', () => {
  let workspace: string;
  let userDir: string;
  beforeEach(() => {
    workspace = mkdtempSync(join(tmpdir(), 'deft-ws-'));
    userDir = mkdtempSync(join(tmpdir(), 'deft-user-'));
    mkdirSync(join(workspace, '.openhands', 'microagents'), { recursive: true });
    writeFileSync(join(workspace, '.openhands', 'microagents', 'repo.md'), 'Run tests with `make test`.');
    writeFileSync(
      join(workspace, '.openhands', 'microagents', 'deploy.md'),
      '---\nname: deploy\ntriggers: [Deploy, release]\n---\nDeploy with `make deploy`.',
    );
    writeFileSync(join(workspace, 'AGENTS.md'), 'Use tabs.');
    writeFileSync(join(workspace, '.cursorrules'), 'Prefer small functions.');
    writeFileSync(join(userDir, 'style.md'), '---\ntriggers: [style]\n---\nFollow the user style guide.');
  });
  afterEach(() => {
    rmSync(workspace, { recursive: true, force: true });
    rmSync(userDir, { recursive: true, force: true });
  });

  it('parses frontmatter: name, triggers, inputs (task type gets its /name trigger), defaults', () => {
    const task = parseMicroagent(
      '---\nname: fix\ninputs:\n  - name: ISSUE\n    description: the issue\n---\nFix {{ISSUE}}',
      'file',
      's',
    );
    expect(task).toMatchObject({
      name: 'fix',
      type: 'task',
      triggers: ['/fix'],
      inputs: [{ name: 'ISSUE', description: 'the issue' }],
      version: '1.0.0',
      agent: 'CodeActAgent',
    });
    expect(parseMicroagent('plain text', 'notes', 's')).toMatchObject({
      name: 'notes',
      type: 'repo',
      content: 'plain text',
    });
  });

  it('loads repo microagents from the workspace and knowledge from workspace, user dir and built-ins', () => {
    const agents = loadMicroagents({ workspaceDir: workspace, userDir });
    const repo = agents
      .filter((a) => a.type === 'repo')
      .map((a) => a.content)
      .sort();
    expect(repo).toEqual(['Prefer small functions.', 'Run tests with `make test`.', 'Use tabs.']);
    const knowledge = agents.filter((a) => a.type === 'knowledge').map((a) => a.name);
    expect(knowledge).toEqual(expect.arrayContaining(['deploy', 'style', 'git', 'github']));
  });

  it('matches triggers case-insensitively, each microagent once', () => {
    const agents = loadMicroagents({ workspaceDir: workspace, userDir, includeBuiltin: false });
    expect(matchKnowledge(agents, 'please DEPLOY the release').map((m) => [m.agent.name, m.trigger])).toEqual(
      [['deploy', 'Deploy']],
    );
    expect(matchKnowledge(agents, 'nothing here')).toEqual([]);
  });

  it('answers the first recall with the workspace context and later ones with triggered knowledge or null', async () => {
    const recall = createRecallHandler({
      workspaceDir: workspace,
      userDir,
      includeBuiltin: false,
      now: () => new Date('2026-11-23T10:00:00Z'),
    });
    const first = await recall(
      {
        ...createAction('recall', { recall_type: 'workspace_context', query: 'fix the style' }),
        id: 4,
        timestamp: '',
      },
      { firstUserMessage: true },
    );
    expect(first).toMatchObject({
      observation: 'recall',
      message: 'Added workspace context',
      extras: {
        recall_type: 'workspace_context',
        date: '2026-11-23',
        working_dir: '/workspace',
        microagent_knowledge: [{ name: 'style', trigger: 'style' }],
      },
    });
    expect((first.extras as { repo_instructions: string }).repo_instructions).toContain(
      'Run tests with `make test`.',
    );
    const later = await recall(
      {
        ...createAction('recall', { recall_type: 'knowledge', query: 'now deploy it' }),
        id: 9,
        timestamp: '',
      },
      { firstUserMessage: false },
    );
    expect(later).toMatchObject({
      observation: 'recall',
      message: 'Added microagent knowledge',
      extras: { microagent_knowledge: [{ name: 'deploy' }] },
    });
    const nothing = await recall(
      {
        ...createAction('recall', { recall_type: 'knowledge', query: 'deploy again' }),
        id: 12,
        timestamp: '',
      },
      { firstUserMessage: false },
    );
    expect(nothing.observation).toBe('null');
  });
});
