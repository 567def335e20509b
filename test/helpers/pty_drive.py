# Drives a command on a pseudo-terminal: waits for each expected text, then types the answer.
# usage: pty_drive.py <cwd> <json [[expect, send], ...]> -- <cmd> [args...]
import os, pty, sys, time, select
# usage: pty_drive.py cwd steps_json -- cmd...
import json
cwd = sys.argv[1]; steps = json.loads(sys.argv[2]); cmd = sys.argv[4:]
pid, fd = pty.fork()
if pid == 0:
    os.chdir(cwd)
    os.execvp(cmd[0], cmd)
out = b''
# Each expected text is looked for after the previous match: a prompt asked twice waits for its second showing.
pos = 0
def read_until(pat, timeout=10):
    global out, pos
    end = time.time() + timeout
    i = out.find(pat.encode(), pos)
    if i >= 0:
        pos = i + len(pat)
        return True
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try:
                data = os.read(fd, 4096)
            except OSError:
                return False
            if not data: return False
            out += data
            i = out.find(pat.encode(), pos)
            if i >= 0:
                pos = i + len(pat)
                return True
    return False
for expect, send in steps:
    if not read_until(expect):
        sys.stdout.write(out.decode(errors='replace')); print('\nTIMEOUT waiting for', expect); sys.exit(3)
    os.write(fd, send.encode())
read_until('\x00', 15)
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors='replace'))
sys.exit(os.waitstatus_to_exitcode(status))
