using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Notejam.Tests.Deploy;

/// <summary>
/// An AppHost template (Notejam.AppHost/infra/&lt;name&gt;.tmpl.yaml) as azd deploys it. azd's source,
/// cli/azd/pkg/project/service_target_dotnet_containerapp.go (Deploy): Go's text/template with
/// <c>Option("missingkey=error")</c>, the data <c>{ Env, Image, Inputs }</c> and the functions urlHost, parameter,
/// parameterWithDefault, securedParameter, uriEncode, secretOutput and targetPortOrDefault; then
/// cli/azd/pkg/containerapps/container_app.go (DeployYaml): YAML to a map, <c>api-version</c> taken out as the request's
/// API version, the rest put as the whole container app.
/// This renders the subset of text/template our templates may use (<c>.Env.NAME</c>, <c>.Image</c>,
/// <c>targetPortOrDefault N</c>, <c>if .Env.NAME</c> … <c>end</c>, with <c>{{-</c>/<c>-}}</c> trimming) and refuses
/// any other action, so a template cannot lean on something this check does not model.
/// </summary>
internal static partial class AzdTemplate
{
    public static string Render(string template, IReadOnlyDictionary<string, string> env, string image, int port)
    {
        var output = new StringBuilder();
        var conditions = new Stack<bool>();
        var position = 0;
        foreach (Match action in ActionPattern().Matches(template))
        {
            var text = template[position..action.Index];
            if (action.Groups["trimLeft"].Success)
            {
                text = text.TrimEnd(' ', '\t', '\r', '\n');
            }

            if (conditions.All(c => c))
            {
                output.Append(text);
            }

            position = action.Index + action.Length;
            if (action.Groups["trimRight"].Success)
            {
                while (position < template.Length && template[position] is ' ' or '\t' or '\r' or '\n')
                {
                    position++;
                }
            }

            var body = action.Groups["body"].Value;
            var active = conditions.All(c => c);
            if (body == "end")
            {
                Assert.True(conditions.Count > 0, "{{ end }} without {{ if }}");
                conditions.Pop();
            }
            else if (IfEnvPattern().Match(body) is { Success: true } condition)
            {
                conditions.Push(active && env.TryGetValue(condition.Groups["name"].Value, out var value) && value.Length > 0);
            }
            else if (!active)
            {
                // Go evaluates nothing in a branch not taken.
                Assert.True(IsSupported(body), $"Unsupported template action {{{{ {body} }}}}");
            }
            else if (body == ".Image")
            {
                output.Append(image);
            }
            else if (EnvPattern().Match(body) is { Success: true } variable)
            {
                var name = variable.Groups["name"].Value;
                Assert.True(env.TryGetValue(name, out var value),
                    $"{{{{ .Env.{name} }}}} is not in the azd environment: azd renders with missingkey=error and fails the deploy.");
                output.Append(value);
            }
            else if (PortPattern().Match(body) is { Success: true })
            {
                output.Append(port.ToString(CultureInfo.InvariantCulture));
            }
            else
            {
                Assert.Fail($"Unsupported template action {{{{ {body} }}}}: only .Env.NAME, .Image, targetPortOrDefault N and if .Env.NAME/end are modelled.");
            }
        }

        Assert.True(conditions.Count == 0, "{{ if }} without {{ end }}");
        output.Append(template[position..]);
        return output.ToString();
    }

    /// <summary>Every action of a template, as written (for the checks that read them without rendering).</summary>
    public static IEnumerable<string> Actions(string template) =>
        ActionPattern().Matches(template).Select(m => m.Groups["body"].Value);

    /// <summary>The .Env names a template reads.</summary>
    public static IEnumerable<string> EnvNames(string template) =>
        Actions(template).SelectMany(body => EnvNamePattern().Matches(body).Select(m => m.Groups["name"].Value)).Distinct();

    private static bool IsSupported(string body) =>
        body is ".Image" or "end" || EnvPattern().IsMatch(body) || IfEnvPattern().IsMatch(body) || PortPattern().IsMatch(body);

    /// <summary>YAML as Go's YAML decoder reads it into map[string]any (plain scalars typed by the YAML 1.2 core schema), as JSON.</summary>
    public static JsonObject ToJson(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        Assert.Single(stream.Documents);
        return (JsonObject)Convert(stream.Documents[0].RootNode)!;
    }

    private static JsonNode? Convert(YamlNode node) => node switch
    {
        YamlMappingNode mapping => new JsonObject(mapping.Children.Select(child =>
            KeyValuePair.Create(((YamlScalarNode)child.Key).Value!, Convert(child.Value)))),
        YamlSequenceNode sequence => new JsonArray(sequence.Children.Select(Convert).ToArray()),
        YamlScalarNode { Style: ScalarStyle.Plain } scalar => Plain(scalar.Value ?? ""),
        YamlScalarNode scalar => JsonValue.Create(scalar.Value),
        _ => throw new InvalidOperationException($"Unexpected YAML node {node.NodeType}"),
    };

    private static JsonValue? Plain(string value) => value switch
    {
        "" or "~" or "null" or "Null" or "NULL" => null,
        "true" or "True" or "TRUE" => JsonValue.Create(true),
        "false" or "False" or "FALSE" => JsonValue.Create(false),
        _ when IntegerPattern().IsMatch(value) => JsonValue.Create(long.Parse(value, CultureInfo.InvariantCulture)),
        _ when FloatPattern().IsMatch(value) => JsonValue.Create(decimal.Parse(value, CultureInfo.InvariantCulture)),
        _ => JsonValue.Create(value),
    };

    /// <summary>
    /// The rendered container app as a Bicep resource of the API version the template names, so that the Bicep CLI checks
    /// it against Azure's own resource types (unknown properties, wrong types and values are its warnings and errors).
    /// </summary>
    public static string ToBicepResource(JsonObject app, string name)
    {
        var apiVersion = app["api-version"]?.GetValue<string>() ?? throw new InvalidOperationException("The template names no api-version.");
        var body = new JsonObject { ["name"] = name };
        foreach (var (key, value) in app)
        {
            if (key != "api-version")
            {
                body[key] = value?.DeepClone();
            }
        }

        var bicep = new StringBuilder($"resource app 'Microsoft.App/containerApps@{apiVersion}' = ");
        WriteBicep(bicep, body, 0);
        return bicep.AppendLine().ToString();
    }

    private static void WriteBicep(StringBuilder bicep, JsonNode? node, int depth)
    {
        var indent = new string(' ', 2 * (depth + 1));
        switch (node)
        {
            case null:
                bicep.Append("null");
                break;
            case JsonObject obj:
                bicep.AppendLine("{");
                foreach (var (key, value) in obj)
                {
                    bicep.Append(indent).Append(IdentifierPattern().IsMatch(key) ? key : Quote(key)).Append(": ");
                    WriteBicep(bicep, value, depth + 1);
                    bicep.AppendLine();
                }

                bicep.Append(new string(' ', 2 * depth)).Append('}');
                break;
            case JsonArray array:
                bicep.AppendLine("[");
                foreach (var item in array)
                {
                    bicep.Append(indent);
                    WriteBicep(bicep, item, depth + 1);
                    bicep.AppendLine();
                }

                bicep.Append(new string(' ', 2 * depth)).Append(']');
                break;
            case JsonValue value when value.TryGetValue<bool>(out var flag):
                bicep.Append(flag ? "true" : "false");
                break;
            case JsonValue value when value.TryGetValue<long>(out var integer):
                bicep.Append(integer.ToString(CultureInfo.InvariantCulture));
                break;
            case JsonValue value when value.TryGetValue<decimal>(out var number):
                bicep.Append("json('").Append(number.ToString(CultureInfo.InvariantCulture)).Append("')");
                break;
            default:
                bicep.Append(Quote(node.GetValue<string>()));
                break;
        }
    }

    private static string Quote(string text) =>
        "'" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal)
            .Replace("${", "\\${", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal) + "'";

    [GeneratedRegex(@"\{\{(?<trimLeft>-\s)?\s*(?<body>.*?)\s*(?<trimRight>\s-)?\}\}", RegexOptions.Singleline)]
    private static partial Regex ActionPattern();

    [GeneratedRegex(@"^\.Env\.(?<name>[A-Za-z_][A-Za-z0-9_]*)$")]
    private static partial Regex EnvPattern();

    [GeneratedRegex(@"\.Env\.(?<name>[A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex EnvNamePattern();

    [GeneratedRegex(@"^if \.Env\.(?<name>[A-Za-z_][A-Za-z0-9_]*)$")]
    private static partial Regex IfEnvPattern();

    [GeneratedRegex(@"^targetPortOrDefault [0-9]+$")]
    private static partial Regex PortPattern();

    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^[-+]?([0-9]*\.[0-9]+|[0-9]+\.[0-9]*)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex IdentifierPattern();
}
