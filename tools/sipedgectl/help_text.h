// sipedgectl --help as a manual page: every command with its arguments and options, then exit
// status, files and examples, in sections help2man turns into the sections of sipedgectl(8).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace sipedgectl {

// Lists the subcommand tree of `app`: each command that runs something, as a synopsis line
// then its description and one line per argument and option. Generated from the parser, so
// the help cannot drift from what is accepted.
std::string CommandReference(const CLI::App& app);

// Formats the top-level help with CommandReference in place of CLI11's one-line list.
class ManFormatter : public CLI::Formatter {
 public:
  std::string make_subcommands(const CLI::App* app, CLI::AppFormatMode mode) const override;
};

}  // namespace sipedgectl
