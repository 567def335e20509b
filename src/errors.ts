/** A mistake in what the user asked for: exit 2, a named rule and a fix, never a stack trace. */
export class UserError extends Error {
  readonly exitCode = 2;
  constructor(
    readonly rule: string,
    message: string,
    readonly fix?: string,
  ) {
    super(message);
    this.name = 'UserError';
  }

  format(): string {
    return `error [${this.rule}]: ${this.message}` + (this.fix ? `\n  fix: ${this.fix}` : '');
  }
}

/** Several user errors found in one pass, so the user can fix them all at once. */
export class UserErrors extends UserError {
  constructor(readonly errors: UserError[]) {
    super(errors[0]!.rule, errors.map((e) => e.message).join('; '), errors[0]!.fix);
  }

  override format(): string {
    return this.errors.map((e) => e.format()).join('\n');
  }
}
