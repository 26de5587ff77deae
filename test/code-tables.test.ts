/**
 * The three tables that name control codes agree: the Linux dispatch table
 * (backend/linux/ioctl/table.ts), the support table (codes/support.ts) and the generated
 * catalogue (codes/catalogue.ts, codes/names.ts). This is the test codes/support.ts promises.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as codes from 'wsaioctl/codes';
import { implementedHandlers } from '../dist/backend/linux/ioctl/table.js';

/** Only what every handler is sure to keep: its catalogue name and its code. */
const handlers: ReadonlyArray<{ name: string; code: number }> = implementedHandlers().map(({ name, code }) => ({ name, code }));
const handlerNames = handlers.map((h) => h.name);
const handlerCodes = new Set(handlers.map((h) => h.code >>> 0));

const sorted = (names: Iterable<string>): string[] => [...names].sort();

describe('dispatch table, support table and catalogue', () => {
  test('the dispatch table is not empty and has one handler per name and per code', () => {
    assert.ok(handlers.length > 0);
    assert.equal(new Set(handlerNames).size, handlers.length, `duplicate handler names: ${handlerNames.join(', ')}`);
    assert.equal(handlerCodes.size, handlers.length, 'two handlers share a code');
  });

  test("every handler's code is in the catalogue under the handler's name", () => {
    for (const { name, code } of handlers) {
      assert.ok(Number.isInteger(code) && code === code >>> 0, `${name}: code ${code} is an unsigned 32-bit integer`);
      const record = codes.codeByName(name);
      assert.ok(record, `${name} is a catalogue name`);
      assert.equal(record.name, name, `${name} is the catalogue name, not an alias of ${record.name}`);
      assert.equal(record.value, code, `${name}: handler code ${codes.formatControlCode(code)} vs catalogue ${codes.formatControlCode(record.value)}`);
      assert.equal((codes as unknown as Record<string, unknown>)[name], code, `${name}: the exported constant has the handler's code`);
      assert.equal(codes.codesByValue(code)[0]?.name, name, `${name}: the first catalogue name of its value`);
    }
  });

  test('the support table marks implemented or approximated on Linux exactly the codes that have a handler', () => {
    // Dispatch is by value: a name sharing a handler's value (SIO_SOCKET_CLOSE_NOTIFY, SIO_RCVALL_MCAST_IF's) is handled too.
    const byValue = codes.allCodes().filter((r) => handlerCodes.has(r.value)).map((r) => r.name);
    assert.ok(handlerNames.every((name) => byValue.includes(name)));
    assert.deepEqual(sorted(codes.namesHandledOnLinux()), sorted(byValue));
    for (const name of handlerNames) assert.ok(codes.isHandled(codes.supportOf(name)?.linux ?? 'not-implemented'), name);
  });

  test('no code the support table calls windows-refuses or not-implemented reaches a handler by its value', () => {
    // Dispatch is by value: a name sharing a handled value would be handled too, whatever its row says.
    for (const record of codes.allCodes()) {
      const support = codes.supportTable[record.name as keyof typeof codes.supportTable];
      assert.ok(support, `${record.name} has a support row`);
      assert.equal(
        handlerCodes.has(record.value),
        codes.isHandled(support.linux),
        `${record.name} (${codes.formatControlCode(record.value)}): support '${support.linux}', handler ${handlerCodes.has(record.value) ? 'present' : 'absent'}`,
      );
    }
  });
});
