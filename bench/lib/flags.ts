/**
 * A bench's command line, scanned (pure): `--switch`, `--flag value` and `--flag=value`. Returns each
 * flag given with its value (undefined for a switch); the bench checks and converts the values itself.
 * A switch given a value (`--no-docs=1`), a flag missing its value, or any other word is an error.
 */
export function scanFlags(
  argv: readonly string[],
  switches: ReadonlySet<string>,
  valued: ReadonlySet<string>,
  usage: string,
): Map<string, string | undefined> {
  const given = new Map<string, string | undefined>();
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = (argv[i] as string).split('=', 2) as [string, string | undefined];
    if (switches.has(flag) && inline === undefined) given.set(flag, undefined);
    else if (valued.has(flag)) {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new Error(`${flag} needs a value`);
      given.set(flag, value);
    } else throw new Error(`unknown flag ${argv[i]}\n${usage}`);
  }
  return given;
}
