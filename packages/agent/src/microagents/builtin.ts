import { type Microagent, parseMicroagent } from './microagent.js';

/** A small built-in set of knowledge microagents, written for Deft. */
const BUILTIN: Record<string, string> = {
  git: `---
triggers: [git, commit, branch, rebase]
---
Working with git in the sandbox:
- Look before changing: \`git status\`, \`git diff\`, \`git log --oneline -n 20\`.
- Commit in small steps with messages that say why. Never rewrite history the user already has (no force-push) unless asked.
- Configure an identity first if git asks: \`git config user.name "Deft" && git config user.email deft@localhost\`.`,
  github: `---
triggers: [github, pull request, pr]
---
For GitHub work: use the GITHUB_TOKEN environment variable when it is set (e.g. with \`curl -H "Authorization: Bearer $GITHUB_TOKEN"\` against api.github.com).
Push to a new branch and open a pull request rather than pushing to the default branch.`,
  npm: `---
triggers: [npm, node_modules, package.json, yarn, pnpm]
---
Node.js projects: prefer \`npm ci\` when a lockfile exists, otherwise \`npm install\`. Run the project's own scripts (\`npm test\`, \`npm run build\`) rather than invoking tools directly.`,
  pytest: `---
triggers: [pytest, python test, unittest]
---
Python tests: run \`python -m pytest -q\` from the project root; use \`-k NAME\` to focus and \`-x\` to stop at the first failure. Install dependencies into a virtual environment (\`python -m venv .venv && . .venv/bin/activate\`).`,
  docker: `---
triggers: [docker, dockerfile, container]
---
The sandbox has no Docker daemon. Read and edit Dockerfiles as text; explain to the user what to run on their machine when a container build is needed.`,
};

export function builtinMicroagents(): Microagent[] {
  return Object.entries(BUILTIN).map(([name, text]) => parseMicroagent(text, name, 'builtin'));
}
