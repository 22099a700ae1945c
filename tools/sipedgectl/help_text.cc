#include "help_text.h"

#include <sstream>
#include <vector>

namespace sipedgectl {
namespace {

// "--mode MODE", "PREFIX", "--json"; in brackets when optional.
std::string Usage(const CLI::Option& opt) {
  std::string text;
  if (opt.get_positional()) {
    text = opt.get_type_name();
  } else {
    text = opt.get_name(false, true);
    if (!opt.get_type_name().empty()) text += " " + opt.get_type_name();
  }
  return opt.get_required() ? text : "[" + text + "]";
}

// `text` folded at word boundaries to kWidth columns, continuation lines indented by `indent`.
std::string Wrap(const std::string& text, size_t indent) {
  constexpr size_t kWidth = 92;
  std::istringstream words(text);
  std::string out, word;
  size_t column = indent;
  while (words >> word) {
    if (column > indent && column + 1 + word.size() > kWidth) {
      out += "\n" + std::string(indent, ' ');
      column = indent;
    } else if (column > indent) {
      out += ' ';
      ++column;
    }
    out += word;
    column += word.size();
  }
  return out;
}

std::vector<const CLI::Option*> Arguments(const CLI::App& cmd) {
  // Named options first (the synopsis convention), then positionals in order.
  std::vector<const CLI::Option*> named, positional;
  for (const CLI::Option* opt : cmd.get_options()) {
    if (opt == cmd.get_help_ptr()) continue;
    (opt->get_positional() ? positional : named).push_back(opt);
  }
  named.insert(named.end(), positional.begin(), positional.end());
  return named;
}

void Describe(const CLI::App& cmd, const std::string& path, std::ostringstream& out) {
  auto subs = cmd.get_subcommands([](const CLI::App*) { return true; });
  if (!subs.empty()) {
    for (const CLI::App* sub : subs) Describe(*sub, path + " " + sub->get_name(), out);
    return;
  }
  auto args = Arguments(cmd);
  out << "  " << path;
  for (const CLI::Option* opt : args) out << " " << Usage(*opt);
  out << "\n      " << Wrap(cmd.get_description(), 6) << "\n";
  for (const CLI::Option* opt : args) {
    std::string name =
        opt->get_positional()
            ? opt->get_type_name()
            : opt->get_name(false, true) +
                  (opt->get_type_size_max() > 0 ? " " + opt->get_type_name() : std::string());
    out << "        " << name;
    if (name.size() < 22)
      out << std::string(22 - name.size(), ' ');
    else
      out << "\n        " << std::string(22, ' ');
    out << opt->get_description() << "\n";
  }
  out << "\n";
}

}  // namespace

std::string CommandReference(const CLI::App& app) {
  std::ostringstream out;
  out << "\nCommands:\n";
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; }))
    Describe(*sub, sub->get_name(), out);
  return out.str();
}

std::string ManFormatter::make_subcommands(const CLI::App* app, CLI::AppFormatMode mode) const {
  if (app->get_parent() == nullptr) return CommandReference(*app);
  return CLI::Formatter::make_subcommands(app, mode);
}

}  // namespace sipedgectl
