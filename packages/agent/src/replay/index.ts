export { parseTrajectory, ReplayAgent, replayTrajectory } from './replay-agent.js';
