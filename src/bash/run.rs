//! Running one evaluation bash: its results (stdout) and what the files
//! print (stderr) read on threads of their own, the process stopped with
//! everything it started when its time is up or when it is dropped unfinished.

use std::io::Read;
use std::process::ExitStatus;
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Result;

use super::output::{self, Section};
use crate::host::process::{Proc, Runner, Running};

/// How long the stream may stay open after bash ended: only a process that
/// left bash's process group could still hold it.
const DRAIN: Duration = Duration::from_secs(10);

/// How long a reader waits between two reads of bash's output.
const BATCH_PAUSE: Duration = Duration::from_millis(1);

/// A started evaluation.
pub struct Started {
    running: Option<Running>,
    results: Receiver<Vec<u8>>,
    stream: Arc<Mutex<Vec<u8>>>,
    drained: Receiver<()>,
}

/// A finished evaluation.
pub struct Finished {
    pub status: ExitStatus,
    pub results: Vec<u8>,
    pub stream: Vec<u8>,
}

impl Started {
    pub fn start(runner: &Runner, proc: &Proc) -> Result<Started> {
        let mut running = runner.spawn(proc)?;
        let mut stdout = running.child.stdout.take().expect("piped");
        let mut stderr = running.child.stderr.take().expect("piped");
        let (results_tx, results) = mpsc::channel();
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            read_in_batches(&mut stdout, &mut |bytes| buf.extend_from_slice(bytes));
            let _ = results_tx.send(buf);
        });
        let stream = Arc::new(Mutex::new(Vec::new()));
        let (drained_tx, drained) = mpsc::channel();
        let sink = Arc::clone(&stream);
        std::thread::spawn(move || {
            read_in_batches(&mut stderr, &mut |bytes| {
                sink.lock().unwrap().extend_from_slice(bytes);
            });
            let _ = drained_tx.send(());
        });
        Ok(Started {
            running: Some(running),
            results,
            stream,
            drained,
        })
    }

    /// Wait until bash ends or `deadline` passes; then (`Err`), the
    /// section bash was in when it was stopped.
    pub fn finish(mut self, deadline: Instant) -> Result<Result<Finished, Section>> {
        let limit = deadline.saturating_duration_since(Instant::now());
        let Ok(results) = self.results.recv_timeout(limit) else {
            self.stop();
            return Ok(Err(output::open_section(&self.stream.lock().unwrap())));
        };
        let mut running = self.running.take().expect("not finished yet");
        let status = running.wait();
        // Whatever the files left running in the background ends with them.
        running.kill_group();
        let status = status?;
        let _ = self.drained.recv_timeout(DRAIN);
        let stream = std::mem::take(&mut *self.stream.lock().unwrap());
        Ok(Ok(Finished {
            status,
            results,
            stream,
        }))
    }

    fn stop(&mut self) {
        if let Some(mut running) = self.running.take() {
            running.kill_group();
            let _ = running.wait();
        }
    }
}

/// Read `from` to its end, handing each chunk to `sink`. Bash writes its
/// records in many small pieces; a reader blocked on the pipe would be
/// woken for each, so it pauses between reads and takes what the pipe
/// holds by then (the pipe buffers bash's writes meanwhile).
fn read_in_batches(from: &mut impl Read, sink: &mut dyn FnMut(&[u8])) {
    let mut chunk = vec![0u8; 64 << 10];
    while let Ok(n) = from.read(&mut chunk) {
        if n == 0 {
            break;
        }
        sink(&chunk[..n]);
        std::thread::sleep(BATCH_PAUSE);
    }
}

impl Drop for Started {
    fn drop(&mut self) {
        self.stop();
    }
}
