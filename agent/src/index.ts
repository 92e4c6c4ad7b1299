/** The reference agent's public API (what the harness embeds and what users script against). */
export { type AppEndpoint, type CreateAgentOptions, createAgent, type RadiusMfaAgent, type StopOptions, toReply } from './agent.ts';
export { type AgentConfig, type AgentConfigInput, type AppConfig, configSchema, loadConfigFile, parseConfigText, validateConfig } from './config.ts';
export { type AppMode, Engine, type EngineAppConfig, type EngineRequest, type TimeoutResponseMode } from './engine/engine.ts';
export { type Decision, type DecisionResult, REASONS, type ReasonCode } from './engine/reasons.ts';
export { createLogger, type Logger } from './logger.ts';
export { AgentMetrics } from './metrics.ts';
export { type FetchLike, OktaClient, type OktaClientOptions, OktaUnavailableError } from './okta/client.ts';
export type { OktaApi, OktaFactor, OktaUser } from './okta/types.ts';
