/**
 * Typed errors with messages a user can act on: what was wrong, where, and what
 * is accepted. Every error NeuroBridge throws on bad input derives from
 * {@link NeuroBridgeError}, so callers (the CLI in particular) can print the
 * message alone instead of a stack trace.
 *
 * @packageDocumentation
 */

/** Base class of every error NeuroBridge raises deliberately. */
export class NeuroBridgeError extends Error {
  /** A stable machine-readable code, e.g. `"SPEC_INVALID"`. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** One problem found in a user-supplied object, located by a JSON-path-like string. */
export interface ValidationIssue {
  /** Where the problem is, e.g. `nodes[2].params.beta` or `dt`. */
  readonly path: string;
  /** What is wrong, e.g. `must be a finite number, got NaN`. */
  readonly message: string;
}

/** Formats issues as an indented bullet list, one line per issue. */
export function formatIssues(issues: readonly ValidationIssue[]): string {
  return issues.map((i) => `  - ${i.path}: ${i.message}`).join("\n");
}

/**
 * A value failed validation. `issues` lists every problem found (validation does
 * not stop at the first one), each naming the field and what is accepted.
 */
export class ValidationError extends NeuroBridgeError {
  readonly issues: readonly ValidationIssue[];

  constructor(what: string, issues: readonly ValidationIssue[], code = "INVALID") {
    super(code, `Invalid ${what}:\n${formatIssues(issues)}`);
    this.issues = issues;
  }
}

/** A network spec is malformed (unknown node type, bad `dt`, mismatched sizes, NaN …). */
export class SpecValidationError extends ValidationError {
  constructor(issues: readonly ValidationIssue[]) {
    super("network spec", issues, "SPEC_INVALID");
  }
}

/** A lookup by name in a registry failed; the message lists the registered names. */
export class UnknownRegistrationError extends NeuroBridgeError {
  readonly kind: string;
  readonly requested: string;
  readonly known: readonly string[];

  constructor(kind: string, requested: string, known: readonly string[]) {
    const list = known.length > 0 ? known.join(", ") : "(none registered)";
    super(
      "UNKNOWN_REGISTRATION",
      `Unknown ${kind} '${requested}'. Registered ${kind}s: ${list}. A plugin can add one: createRuntime({ plugins: [myPlugin] }).`,
    );
    this.kind = kind;
    this.requested = requested;
    this.known = known;
  }
}

/** Two plugins tried to register the same name for the same kind. */
export class DuplicateRegistrationError extends NeuroBridgeError {
  constructor(kind: string, name: string, firstBy: string, secondBy: string) {
    super(
      "DUPLICATE_REGISTRATION",
      `The ${kind} '${name}' is registered twice: by plugin '${firstBy}' and by plugin '${secondBy}'. ` +
        "Give one of them another name, or pass { override: true } when registering on purpose.",
    );
  }
}

/** A quantity string such as `250pA` could not be parsed or has the wrong dimension. */
export class UnitError extends NeuroBridgeError {
  constructor(message: string) {
    super("UNIT_INVALID", message);
  }
}

/** A backend cannot host part of a network; the message names what it supports. */
export class UnsupportedError extends NeuroBridgeError {
  constructor(message: string) {
    super("UNSUPPORTED", message);
  }
}

/** A file is missing, truncated or corrupt. */
export class DataFileError extends NeuroBridgeError {
  readonly file: string;

  constructor(file: string, message: string, options?: { cause?: unknown }) {
    super("DATA_FILE", `${file}: ${message}`, options);
    this.file = file;
  }
}

/**
 * Work stopped because its `AbortSignal` fired (Ctrl-C, SIGTERM, a caller's
 * cancel). Named `AbortError` as the platform's aborts are, so
 * `error.name === "AbortError"` tells a stop from a failure.
 */
export class AbortError extends NeuroBridgeError {
  constructor(what = "the work") {
    super("ABORTED", `${what} was interrupted`);
  }
}

/** What a plugin (or any code) threw, in one line, whatever it threw (an Error, a string, a number, null …). */
export function describeThrown(thrown: unknown): string {
  if (thrown instanceof Error) return `${thrown.message}`.split("\n")[0] || thrown.name;
  if (typeof thrown === "string") return thrown.split("\n")[0] as string;
  try {
    return `it threw ${JSON.stringify(thrown) ?? String(thrown)}`;
  } catch {
    return `it threw ${String(thrown)}`;
  }
}
