import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Figures the API reads from the parts running beside it; each is optional (a lone API has no relay). */
export interface SystemGauges {
  /** Events in the store not yet published by the relay. */
  relayLag?: () => number | Promise<number>;
  /** Timers the sla-timer holds. */
  timersPending?: () => number | Promise<number>;
}

/**
 * The Prometheus metrics of one API instance, in a registry of its own (not prom-client's
 * global one), so that several instances in one process (tests, `caseflow start`) never clash.
 */
export class ApiMetrics {
  readonly registry = new Registry();
  readonly commands: Counter<'command' | 'outcome'>;
  readonly rejections: Counter<'code'>;
  readonly commandSeconds: Histogram<'command'>;
  readonly requestSeconds: Histogram<'method' | 'route' | 'status'>;

  constructor(gauges: SystemGauges, readModelTickets: () => number) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'caseflow_' });
    this.commands = new Counter({
      name: 'caseflow_commands_total',
      help: 'Commands handled, by command and outcome (accepted, repeated, rejected)',
      labelNames: ['command', 'outcome'],
      registers,
    });
    this.rejections = new Counter({ name: 'caseflow_command_rejections_total', help: 'Refused commands by code', labelNames: ['code'], registers });
    this.commandSeconds = new Histogram({
      name: 'caseflow_command_duration_seconds',
      help: 'Time to handle a command through the engine, store append included',
      labelNames: ['command'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.requestSeconds = new Histogram({
      name: 'caseflow_http_request_duration_seconds',
      help: 'HTTP requests by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.gauge('caseflow_relay_lag_events', 'Events in the store the relay has not yet published', gauges.relayLag);
    this.gauge('caseflow_sla_timers_pending', 'Timers the sla-timer holds', gauges.timersPending);
    this.gauge('caseflow_readmodel_tickets', 'Tickets in the list read model', readModelTickets);
  }

  private gauge(name: string, help: string, read: (() => number | Promise<number>) | undefined): void {
    if (read === undefined) return;
    new Gauge({
      name,
      help,
      registers: [this.registry],
      async collect() {
        this.set(await read());
      },
    });
  }
}
