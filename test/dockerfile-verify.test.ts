import { expect, test } from '@jest/globals';
import { dockerfileError } from '../src/docker/verify.js';

test('a well-formed Dockerfile passes, continuations and comment lines included', () => {
  expect(dockerfileError('FROM alpine\nRUN apk add wget && \\\n    # note\n    adduser -D app\nUSER app\n')).toBeUndefined();
  expect(dockerfileError('# escape=`\r\nFROM alpine\r\nRUN a && `\r\n    b\r\n')).toBeUndefined();
});

test('a RUN left empty, ending with an operator, or not valid shell is refused', () => {
  expect(dockerfileError('FROM alpine\nRUN\nUSER app\n')).toBe('RUN without arguments on line 2');
  expect(dockerfileError('FROM alpine\nRUN apk add wget &&\nUSER app\n')).toMatch(/^RUN on line 2 is not valid shell/);
  expect(dockerfileError('FROM alpine\nRUN if true; then echo\n')).toMatch(/^RUN on line 2 is not valid shell/);
});

test('RUN bodies for another shell (SHELL instruction) are not judged as POSIX shell', () => {
  expect(dockerfileError('FROM mcr.microsoft.com/windows/servercore\nSHELL ["powershell", "-Command"]\nRUN if ($true) { Write-Host hi }\n')).toBeUndefined();
});

test('a RUN on a Windows base image runs in cmd without any SHELL: not judged as POSIX shell either (the ADD of the .exe removed around it)', () => {
  expect(dockerfileError('FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nRUN if not exist C:\\data mkdir C:\\data\n')).toBeUndefined();
  // A Linux stage of the same file is still judged.
  expect(dockerfileError('FROM mcr.microsoft.com/windows/nanoserver:ltsc2022 AS win\nRUN if not exist C:\\data mkdir C:\\data\nFROM alpine\nRUN if true; then echo\n')).toMatch(/^RUN on line 4 is not valid shell/);
});

test('a here-document RUN is judged by its script; one a command reads is not judged as shell', () => {
  expect(dockerfileError('FROM alpine\nRUN <<EOF\nset -e\napk add wget\nEOF\nUSER app\n')).toBeUndefined();
  expect(dockerfileError('FROM alpine\nRUN <<EOF\nif true; then\n  echo\nEOF\n')).toMatch(/^RUN on line 2 is not valid shell/);
  expect(dockerfileError('FROM python:3\nRUN python3 <<EOF\nif True: print(1)\nEOF\n')).toBeUndefined();
});

test('a RUN that is not valid shell is placed at the file line and column, not at the place in the joined script the parser read', () => {
  // The parser reads lines 3-5 joined (its line 1); the quote left open is on the file's line 5.
  const text = 'FROM alpine\n# note\nRUN apk add curl && \\\n    # a comment line inside\n    echo "oops\nUSER app\n';
  expect(dockerfileError(text)).toBe(`RUN on line 3 is not valid shell (line 5, column 10): reached EOF without closing quote "`);
  // In a here-document: the parser's line 3 is the file's line 5.
  expect(dockerfileError('FROM alpine\nRUN <<EOF\nset -e\nif true; then\n  echo\nEOF\n')).toBe('RUN on line 2 is not valid shell (line 4, column 1): if statement must end with "fi"');
});
