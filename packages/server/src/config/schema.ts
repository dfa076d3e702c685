import { z } from 'zod';

/** A boolean that also accepts the strings an environment variable carries ("true", "0", "yes", ...). */
const flag = z.preprocess((value) => {
  if (typeof value !== 'string') return value;
  const text = value.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(text)) return true;
  if (['0', 'false', 'no', 'off', ''].includes(text)) return false;
  return value;
}, z.boolean());

/**
 * The one Deft configuration object. Keys are snake_case so that config.toml, `DEFT_*` variables and this
 * schema use the same names; every default lives here and nowhere else.
 */
export const ConfigSchema = z
  .object({
    host: z.string().min(1).default('127.0.0.1'),
    port: z.coerce.number().int().min(0).max(65535).default(3000),
    /** Data directory: database, workspaces, sandboxes, secret key. */
    data_dir: z.string().min(1),
    /** postgres://… to use PostgreSQL; empty = SQLite in data_dir. */
    database_url: z.string().default(''),
    /** SQLite commit durability: full (fsync, survives power loss) or normal (survives a process crash). */
    sqlite_synchronous: z.enum(['full', 'normal']).default('full'),
    log_level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** Shared secret for every /api route and the Socket.IO handshake (reference §1.1). */
    session_api_key: z.string().default(''),
    /** Allow listening on a non-loopback address without a session_api_key. */
    insecure: flag.default(false),
    server: z
      .object({
        body_limit_bytes: z.coerce
          .number()
          .int()
          .positive()
          .default(10 * 1024 * 1024),
        permitted_cors_origins: z.string().default(''),
        /** largest file accepted by upload-files, and how many files one upload may carry */
        upload_file_limit_bytes: z.coerce
          .number()
          .int()
          .positive()
          .default(50 * 1024 * 1024),
        upload_max_files: z.coerce.number().int().positive().default(100),
        /** requests per client address per second before they are slowed; twice that gets 429 (0 = off) */
        rate_limit_per_second: z.coerce.number().int().min(0).default(10),
        /** the built web UI; empty = packages/web/dist next to this server */
        web_dir: z.string().default(''),
        /** comment lines sent on idle event streams so proxies keep them open */
        stream_heartbeat_ms: z.coerce.number().int().min(100).default(15_000),
      })
      .prefault({}),
    sandbox: z
      .object({
        provider: z.enum(['process', 'docker']).default('process'),
        network: z.enum(['none', 'egress']).default('none'),
        memory_mb: z.coerce.number().int().positive().default(2048),
        pids: z.coerce.number().int().positive().default(512),
        cpus: z.coerce.number().positive().default(1),
        startup_timeout_ms: z.coerce.number().int().positive().default(30_000),
        warm_pool_size: z.coerce.number().int().min(0).max(64).default(0),
        allow_unisolated: flag.default(false),
        docker_host: z.string().default(''),
        docker_image: z.string().default('deft-runtime:latest'),
      })
      .prefault({}),
    agent: z
      .object({
        max_iterations: z.coerce.number().int().positive().default(500),
        max_budget_per_task: z.coerce.number().positive().nullable().default(null),
        confirmation_mode: z.enum(['off', 'high', 'all']).default('off'),
        llm_num_retries: z.coerce.number().int().min(0).max(20).default(5),
        llm_retry_min_wait_ms: z.coerce.number().int().min(0).default(8_000),
        llm_retry_max_wait_ms: z.coerce.number().int().min(0).default(64_000),
      })
      .prefault({}),
    llm: z
      .object({
        model: z.string().default(''),
        api_key: z.string().default(''),
        base_url: z.string().default(''),
        timeout_ms: z.coerce.number().int().positive().default(300_000),
      })
      .prefault({}),
    conversations: z
      .object({
        /** running conversations at once; at the limit the least recently active idle one is paused */
        max_running: z.coerce.number().int().positive().default(8),
        /** an idle conversation without clients is paused after this long (0 = never) */
        close_delay_s: z.coerce.number().int().min(0).default(3600),
        /** how often idle conversations are looked for (0 = never) */
        sweep_interval_ms: z.coerce.number().int().min(0).default(15_000),
        /** cloning a conversation's repository gives up after this long */
        clone_timeout_ms: z.coerce.number().int().positive().default(300_000),
      })
      .prefault({}),
  })
  .strict();

export type DeftConfig = z.infer<typeof ConfigSchema>;
