import { NeuroBridgeError } from "@neurobridge/core";

/**
 * A network that a target cannot host. `constraint` names the limit (a
 * profile constant such as `axonsPerCore`, or a capability such as
 * `neuronModel`); the message says what the network needs, what the target
 * offers, and what would make it fit.
 */
export class DeploymentError extends NeuroBridgeError {
  constructor(
    readonly target: string,
    readonly constraint: string,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super("DEPLOYMENT", `cannot deploy to ${target}: ${message}`);
  }
}
