using System.Net;
using System.Text;
using System.Text.Json;
using Cairn.Pipelines.Kubernetes;
using Cairn.Server;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Cairn.Pipelines.Tests.Kubernetes;

/// <summary>
/// The few endpoints of the Kubernetes API that the submitter uses (create, read, read status and
/// delete a Job), on Kestrel at 127.0.0.1, so that the real client library talks to it over a
/// socket. It keeps every request as received and a log of what happened in order.
/// </summary>
internal sealed class FakeKubernetesApi : IAsyncDisposable
{
    public enum Outcome { Running, Complete, Failed }

    public sealed record Received(string Method, string Path, string Query, string? Authorization, string? ContentType, string Body);

    private const string Jobs = "/apis/batch/v1/namespaces/{ns}/jobs";
    private readonly WebApplication _app;
    private readonly Lock _gate = new();
    private readonly List<Received> _requests = [];
    private readonly List<string> _events = [];
    private readonly Dictionary<string, (V1Job Job, int Reads, Outcome Reported)> _jobs = [];
    private readonly Dictionary<string, Outcome> _seeded = [];

    /// <summary>What a Job's status says at its n-th read, by step name; by default it completes at the second.</summary>
    public Func<string, int, Outcome> Outcomes { get; set; } = (_, reads) => reads >= 2 ? Outcome.Complete : Outcome.Running;

    /// <summary>Steps whose Job creation is answered with 403.</summary>
    public HashSet<string> ForbiddenSteps { get; } = [];

    /// <summary>Called after each status read, with the step's name.</summary>
    public Action<string>? OnStatusRead { get; set; }

    public Uri BaseUri { get; }

    private FakeKubernetesApi(WebApplication app, Uri baseUri)
    {
        _app = app;
        BaseUri = baseUri;
    }

    public static async Task<FakeKubernetesApi> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        FakeKubernetesApi? fake = null;
        app.Use(async (context, next) =>
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            context.Items["body"] = body;
            lock (fake!._gate)
                fake._requests.Add(new Received(context.Request.Method, context.Request.Path, context.Request.QueryString.Value ?? "",
                    context.Request.Headers.Authorization.FirstOrDefault(), context.Request.ContentType, body));
            await next(context);
        });
        app.MapPost(Jobs, (string ns, HttpContext context) => fake!.Create(ns, (string)context.Items["body"]!));
        app.MapGet(Jobs + "/{name}/status", (string ns, string name) => fake!.Read(ns, name, status: true));
        app.MapGet(Jobs + "/{name}", (string ns, string name) => fake!.Read(ns, name, status: false));
        app.MapDelete(Jobs + "/{name}", (string ns, string name) => fake!.Delete(ns, name));
        await app.StartAsync();
        fake = new FakeKubernetesApi(app, app.BoundAddress());
        return fake;
    }

    public IReadOnlyList<Received> Requests { get { lock (_gate) return [.. _requests]; } }

    /// <summary>"create:step", "succeeded:step", "failed:step", "delete:step", in the order they happened.</summary>
    public IReadOnlyList<string> Events { get { lock (_gate) return [.. _events]; } }

    public IReadOnlyList<string> StoredJobNames { get { lock (_gate) return [.. _jobs.Keys]; } }

    /// <summary>A Job that exists before the run, as if an earlier submission made it.</summary>
    public void Seed(V1Job job, Outcome outcome)
    {
        var copy = KubernetesJson.Deserialize<V1Job>(KubernetesJson.Serialize(job));
        lock (_gate)
        {
            _jobs[copy.Metadata.Name] = (copy, 0, Outcome.Running);
            _seeded[Step(copy)] = outcome;
        }
    }

    /// <summary>A kubeconfig for this server: context "fake", namespace "pipelines", a bearer token.</summary>
    public string Kubeconfig(string @namespace = "pipelines") => $"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: fake
          cluster:
            server: {BaseUri.ToString().TrimEnd('/')}
        users:
        - name: tester
          user:
            token: test-token
        contexts:
        - name: fake
          context:
            cluster: fake
            user: tester
            namespace: {@namespace}
        - name: elsewhere
          context:
            cluster: fake
            user: tester
            namespace: other
        current-context: fake
        """;

    private IResult Create(string ns, string body)
    {
        var job = KubernetesJson.Deserialize<V1Job>(body);
        var name = job.Metadata.Name;
        lock (_gate)
        {
            if (ForbiddenSteps.Contains(Step(job)))
                return Status(HttpStatusCode.Forbidden, "Forbidden", $"jobs.batch is forbidden: User \"tester\" cannot create resource \"jobs\" in API group \"batch\" in the namespace \"{ns}\"");
            if (_jobs.ContainsKey(name))
                return Status(HttpStatusCode.Conflict, "AlreadyExists", $"jobs.batch \"{name}\" already exists");
            job.Metadata.NamespaceProperty = ns;
            job.Metadata.Uid = Guid.NewGuid().ToString();
            job.Status = new V1JobStatus();
            _jobs[name] = (job, 0, Outcome.Running);
            _events.Add("create:" + Step(job));
        }
        return Json(job, HttpStatusCode.Created);
    }

    private IResult Read(string ns, string name, bool status)
    {
        V1Job job;
        string step;
        lock (_gate)
        {
            if (!_jobs.TryGetValue(name, out var stored))
                return Status(HttpStatusCode.NotFound, "NotFound", $"jobs.batch \"{name}\" not found");
            job = stored.Job;
            step = Step(job);
            if (status)
            {
                var reads = stored.Reads + 1;
                var outcome = _seeded.TryGetValue(step, out var seeded) ? seeded : Outcomes(step, reads);
                if (outcome != stored.Reported && outcome != Outcome.Running)
                    _events.Add((outcome == Outcome.Complete ? "succeeded:" : "failed:") + step);
                job.Status = outcome switch
                {
                    Outcome.Complete => new V1JobStatus { Succeeded = 1, Conditions = [new V1JobCondition { Type = "Complete", Status = "True" }] },
                    Outcome.Failed => new V1JobStatus
                    {
                        Failed = 1,
                        Conditions = [new V1JobCondition { Type = "Failed", Status = "True", Reason = "BackoffLimitExceeded", Message = "Job has reached the specified backoff limit" }],
                    },
                    _ => new V1JobStatus { Active = 1, Conditions = [new V1JobCondition { Type = "Complete", Status = "False" }] },
                };
                _jobs[name] = (job, reads, outcome);
            }
        }
        if (status) OnStatusRead?.Invoke(step);
        return Json(job, HttpStatusCode.OK);
    }

    private IResult Delete(string ns, string name)
    {
        lock (_gate)
        {
            if (!_jobs.Remove(name, out var stored))
                return Status(HttpStatusCode.NotFound, "NotFound", $"jobs.batch \"{name}\" not found");
            _events.Add("delete:" + Step(stored.Job));
        }
        return Status(HttpStatusCode.OK, null, null);
    }

    private static string Step(V1Job job) => job.Metadata.Annotations[KubernetesJobs.StepNameAnnotation];

    private static IResult Json(object value, HttpStatusCode code) =>
        Results.Text(KubernetesJson.Serialize(value), "application/json", Encoding.UTF8, (int)code);

    /// <summary>A metav1.Status body, written by hand: KubernetesJson reads V1Status but cannot write one.</summary>
    private static IResult Status(HttpStatusCode code, string? reason, string? message) =>
        Results.Text(JsonSerializer.Serialize(new
        {
            kind = "Status",
            apiVersion = "v1",
            metadata = new { },
            status = code == HttpStatusCode.OK ? "Success" : "Failure",
            message,
            reason,
            code = (int)code,
        }), "application/json", Encoding.UTF8, (int)code);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
