import { parseSoapRequest, soapFault, textArgument } from './soap-envelope';
import { VimFault } from './vim-faults';

const envelope = (body: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><Envelope xmlns="http://schemas.xmlsoap.org/soap/envelope/"><Body>${body}</Body></Envelope>`;

function faultTypeOf(body: unknown): string | undefined {
  try {
    parseSoapRequest(body);
    return undefined;
  } catch (error) {
    return error instanceof VimFault ? error.type : 'thrown';
  }
}

describe('SOAP envelopes', () => {
  it('reads the method and its arguments as text, entities decoded, digits not turned to numbers', () => {
    const request = parseSoapRequest(
      envelope(
        '<Login xmlns="urn:vim25"><_this type="SessionManager">SessionManager</_this><userName>a&amp;b</userName><password>0123</password></Login>',
      ),
    );
    expect(request.method).toBe('Login');
    expect(textArgument(request, 'userName')).toBe('a&b');
    expect(textArgument(request, 'password')).toBe('0123');
    expect(textArgument(request, '_this')).toBe('SessionManager');
    expect(textArgument(request, 'missing')).toBeUndefined();
  });

  it('takes envelopes with namespace prefixes, as other clients write them', () => {
    const request = parseSoapRequest(
      '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><vim:CurrentTime xmlns:vim="urn:vim25"/></soapenv:Body></soapenv:Envelope>',
    );
    expect(request.method).toBe('CurrentTime');
  });

  it('refuses what is not a SOAP call as InvalidRequest: no body, not XML, no method, a document type', () => {
    expect(faultTypeOf(undefined)).toBe('InvalidRequest');
    expect(faultTypeOf('  ')).toBe('InvalidRequest');
    expect(faultTypeOf('{"json": true}')).toBe('InvalidRequest');
    expect(faultTypeOf('<Envelope><Body><Login>')).toBe('InvalidRequest');
    expect(faultTypeOf(envelope('just text'))).toBe('InvalidRequest');
    expect(faultTypeOf('<Other><Body><Login/></Body></Other>')).toBe('InvalidRequest');
    expect(faultTypeOf(`<!DOCTYPE x [<!ENTITY a "aaaa">]>${envelope('<Login>&a;</Login>')}`)).toBe(
      'InvalidRequest',
    );
  });

  it('writes a fault with its type in detail and its message escaped', () => {
    const xml = soapFault(VimFault.notSupported('Destroy<&>'));
    expect(xml).toContain('<faultcode>ServerFaultCode</faultcode>');
    expect(xml).toContain('Destroy&lt;&amp;&gt;');
    expect(xml).toContain('<NotSupportedFault xmlns="urn:vim25" xsi:type="NotSupported">');
  });
});
