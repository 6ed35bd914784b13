import type { StackContext } from './process';

export type EngineName = 'es' | 'opensearch' | 'kafka' | 'flink';

export interface EngineStatus {
  engine: EngineName;
  /** 'elasticsearch', 'opensearch', 'kafka', 'flink-jobmanager', 'flink-taskmanager', 'flink-sql-gateway' */
  component: string;
  healthy: boolean;
  version?: string;
  url: string;
  pid?: number;
  detail?: string;
}

export interface Engine {
  name: EngineName;
  /** Puts everything the engine needs under .stack/; a no-op when already there for the pinned versions. */
  fetch(ctx: StackContext): Promise<void>;
  /** Starts what is not running and waits until healthy; leaves healthy components alone. */
  start(ctx: StackContext): Promise<void>;
  health(ctx: StackContext): Promise<EngineStatus[]>;
  /** Stops the processes this stack started, whatever their health. */
  stop(ctx: StackContext): Promise<void>;
}
