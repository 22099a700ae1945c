// The terminal `sipedgectl top` draws on: the alternate screen with the cursor hidden, keys
// read one at a time, and everything put back on exit (also after Ctrl-C or SIGTERM). Plain
// ANSI/VT100 sequences, so it reads the same over SSH and in tmux; no curses.
#pragma once

#include <termios.h>

#include <string>
#include <vector>

namespace sipedgectl {

// Why a wait ended.
enum class WaitEnd { kTimeout, kQuit, kResize };

// Catches SIGINT, SIGTERM, SIGHUP (quit) and SIGWINCH (resize) for the life of the object,
// without SA_RESTART, so a wait returns as soon as one arrives.
class StopSignals {
 public:
  StopSignals();
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  // A quit signal arrived.
  static bool stop_requested();
  // Waits up to `timeout_ms` for a quit signal, a resize, or (when `key_fd` >= 0) a key: q, Q
  // or Ctrl-C typed as a character. Other keys are read and ignored.
  static WaitEnd wait(int timeout_ms, int key_fd);
};

// Owns the screen while it lives. Construct only when stdout is a terminal.
class LiveScreen {
 public:
  LiveScreen();
  ~LiveScreen();  // cursor shown, main screen back, terminal modes restored
  LiveScreen(const LiveScreen&) = delete;
  LiveScreen& operator=(const LiveScreen&) = delete;

  // The fd to read keys from (stdin when it is a terminal), else -1.
  int key_fd() const { return key_fd_; }
  // Draws `lines` from the top-left corner, erasing what the previous frame left.
  void draw(const std::vector<std::string>& lines) const;

 private:
  int key_fd_ = -1;
  bool restore_modes_ = false;
  termios saved_{};
};

// Columns and rows of the terminal on `fd`; {0, 0} when it is not one.
struct TerminalSize {
  int columns = 0;
  int rows = 0;
};
TerminalSize SizeOf(int fd);

}  // namespace sipedgectl
