import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import { Injectable } from '@nestjs/common';
import type { Observable } from 'rxjs';
import { map } from 'rxjs';

/** `/rest` wraps every result as `{"value": ...}`; void results keep an empty body (§1). */
@Injectable()
export class RestEnvelopeInterceptor implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next
      .handle()
      .pipe(map((result: unknown) => (result === undefined ? undefined : { value: result })));
  }
}
