/** Client-facing errors: always JSON `{error, detail}` with a 4xx/5xx status. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly detail: string,
  ) {
    super(`${status} ${error}: ${detail}`);
    this.name = 'HttpProblem';
  }
}

export const badRequest = (detail: string) => new HttpProblem(400, 'bad_request', detail);
export const notFound = (detail: string) => new HttpProblem(404, 'not_found', detail);
