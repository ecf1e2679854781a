// Part of infra/check.sh: checks infra/main.parameters.json against the ARM template that
// `bicep build infra/main.bicep` compiled. F# Interactive, because it ships with the .NET SDK (the
// one tool a CI machine here is sure to have) and System.Text.Json parses JSON strictly, as azd
// does: no comments, no trailing commas.
//
//   dotnet fsi infra/check-parameters.fsx <main.parameters.json> <compiled main.json>
//
// Fails (exit code 1) unless the parameters file is valid JSON with a "parameters" object, each entry
// of which has a "value" (or a Key Vault "reference"), names a parameter main.bicep declares, and
// every parameter main.bicep declares without a default is among them.
open System.IO
open System.Text.Json

let parametersPath, templatePath =
    match fsi.CommandLineArgs with
    | [| _; parameters; template |] -> parameters, template
    | _ -> failwith "usage: dotnet fsi check-parameters.fsx <main.parameters.json> <compiled main.json>"

let problems = ResizeArray<string>()

let load (path: string) =
    try
        Some(JsonDocument.Parse(File.ReadAllText path))
    with :? JsonException as e ->
        problems.Add(sprintf "%s is not valid JSON: %s" path e.Message)
        None

let properties (element: JsonElement) (name: string) =
    match element.ValueKind with
    | JsonValueKind.Object ->
        match element.TryGetProperty name with
        | true, value when value.ValueKind = JsonValueKind.Object -> Some(value.EnumerateObject() |> List.ofSeq)
        | _ -> None
    | _ -> None

match load parametersPath, load templatePath with
| Some parametersFile, Some template ->
    match properties parametersFile.RootElement "parameters", properties template.RootElement "parameters" with
    | None, _ -> problems.Add(sprintf "%s has no \"parameters\" object" parametersPath)
    | _, None -> problems.Add(sprintf "%s has no \"parameters\" object" templatePath)
    | Some set, Some declared ->
        let declaredNames = declared |> List.map (fun p -> p.Name) |> Set.ofList

        let required =
            declared
            |> List.filter (fun p ->
                let hasDefault, _ = p.Value.TryGetProperty "defaultValue"

                let nullable =
                    match p.Value.TryGetProperty "nullable" with
                    | true, value -> value.ValueKind = JsonValueKind.True
                    | _ -> false

                not hasDefault && not nullable)
            |> List.map (fun p -> p.Name)

        for entry in set do
            if not (declaredNames.Contains entry.Name) then
                problems.Add(sprintf "\"%s\" is set but main.bicep declares no such parameter" entry.Name)

            let hasValue =
                entry.Value.ValueKind = JsonValueKind.Object
                && (fst (entry.Value.TryGetProperty "value") || fst (entry.Value.TryGetProperty "reference"))

            if not hasValue then
                problems.Add(sprintf "\"%s\" is not an object with a \"value\" (or \"reference\")" entry.Name)

        let setNames = set |> List.map (fun p -> p.Name) |> Set.ofList

        for name in required do
            if not (setNames.Contains name) then
                problems.Add(sprintf "\"%s\" has no default in main.bicep and is not set (azd would prompt for it)" name)

        if problems.Count = 0 then
            printfn
                "ok: valid JSON; sets %d of the %d parameters main.bicep declares, among them every one without a default (%s)"
                set.Length
                declared.Length
                (String.concat " " required)
| _ -> ()

for problem in problems do
    eprintfn "FAIL: %s" problem

exit (if problems.Count = 0 then 0 else 1)
