using System.CommandLine;
using Notejam.DevTools;

// The commands the benchmarks (bench/) run; the tests and the AppHost use the same code as a library.
//   Notejam.DevTools postgres [--port N] [--setting name=value ...]
//   Notejam.DevTools signin --site URL --email E --password P [--form PATH]
//   Notejam.DevTools load --site URL --database CONNECTION --clients N --minutes M [--write-share F]
var root = new RootCommand("Notejam's developer tools: a throwaway PostgreSQL, a sign-in through the site's form, a steady load.")
{
    PostgresCommand.Create(),
    SignInCommand.Create(),
    LoadCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
