// The command line of the programs that take a scenario word first (nicsim, nicboard): options
// through Boost.Program_options, one positional word for the scenario, `--help` on stdout with
// exit 0, usage errors on stderr as "<prog>: <what> (see <prog> --help)" with exit 2.
#pragma once

#include <boost/program_options.hpp>

#include <iostream>
#include <string>

namespace nic::apps {

inline int usage_error(const char* prog, const std::string& what) {
    std::cerr << prog << ": " << what << " (see " << prog << " --help)\n";
    return 2;
}

// Parses argv into vm (and the variables `opts` names). Returns -1 to go on, otherwise the exit
// status: 0 after --help (the options and `help_footer` printed), 2 after a usage error.
inline int parse_scenario_command_line(int argc, char** argv, const char* prog,
                                       const boost::program_options::options_description& opts,
                                       std::string& scenario, const std::string& default_scenario,
                                       boost::program_options::variables_map& vm,
                                       const char* help_footer = "") {
    namespace po = boost::program_options;
    po::options_description hidden;
    hidden.add_options()("scenario", po::value<std::string>(&scenario)->default_value(default_scenario));
    po::options_description all;
    all.add(opts).add(hidden);
    po::positional_options_description pos;
    pos.add("scenario", 1);
    try {
        po::store(po::command_line_parser(argc, argv).options(all).positional(pos).run(), vm);
        po::notify(vm);
    } catch (const std::exception& e) {
        return usage_error(prog, e.what());
    }
    if (vm.count("help")) {
        std::cout << opts << help_footer;
        return 0;
    }
    return -1;
}

}  // namespace nic::apps
