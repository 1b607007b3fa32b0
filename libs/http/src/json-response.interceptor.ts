import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import { Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { Observable } from 'rxjs';
import { map } from 'rxjs';

/**
 * Fastify sends a returned string as plain text; the contract's results are JSON even when they
 * are a bare string (`/api` create answers `"<id>"`), so strings are encoded here.
 */
@Injectable()
export class JsonResponseInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      map((result: unknown) => {
        if (typeof result !== 'string') return result;
        void context.switchToHttp().getResponse<FastifyReply>().type('application/json');
        return JSON.stringify(result);
      }),
    );
  }
}
