using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cairn.Protocol;
using Polly;
using Polly.Retry;

namespace Cairn.Rest;

/// <summary>
/// HTTP to a Cairn or MLflow server: JSON in MLflow's shape, MLflow error bodies turned back into
/// <see cref="CairnException"/>s with the same codes, and a few retries with backoff when the
/// server cannot be reached or answers 503/429, so a restart does not fail a training run.
/// </summary>
public sealed class RestTransport : IDisposable
{
    private readonly bool _ownsClient;
    private readonly ResiliencePipeline<HttpResponseMessage> _retry;
    private readonly TlsTrust _tls;

    /// <summary>The HttpClient requests go through: the one given, or one this transport created and owns.</summary>
    public HttpClient Http { get; }
    /// <summary>The server's root, always ending in <c>/</c>; relative request paths resolve against it.</summary>
    public Uri BaseUri { get; }

    /// <summary>A transport to the server at <paramref name="baseUri"/>.</summary>
    /// <param name="baseUri">The server's root; a path in it is kept (a server behind a prefix).</param>
    /// <param name="http">An HttpClient to send through (not disposed with the transport); null to create one with a 10-minute timeout.</param>
    /// <param name="credentials">How to sign in to a server started with --auth (set on the client this transport creates); null: none.</param>
    /// <param name="tls">How the client this transport creates checks an https server's certificate; null: against the system's roots.</param>
    public RestTransport(Uri baseUri, HttpClient? http = null, ServerCredentials? credentials = null, TlsTrust? tls = null)
    {
        BaseUri = new Uri(baseUri.ToString().TrimEnd('/') + "/");
        _ownsClient = http is null;
        _tls = tls ?? TlsTrust.System;
        if (http is null)
        {
            var handler = _tls.CreateHandler();
            handler.PooledConnectionLifetime = TimeSpan.FromMinutes(5);
            handler.MaxConnectionsPerServer = 64;
            http = new HttpClient(handler) { Timeout = TimeSpan.FromMinutes(10) };
        }
        Http = http;
        if (_ownsClient) credentials?.Apply(Http);
        // A server restarting, or answering 503/429, is retried with exponential backoff and
        // jitter for about 15 seconds before the caller sees an error.
        _retry = new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    // A certificate that is not trusted stays so: said at once, not retried.
                    .Handle<HttpRequestException>(e => e.HttpRequestError != HttpRequestError.SecureConnectionError)
                    .HandleResult(r => r.StatusCode is HttpStatusCode.ServiceUnavailable or HttpStatusCode.TooManyRequests),
                BackoffType = DelayBackoffType.Exponential,
                Delay = TimeSpan.FromMilliseconds(100),
                MaxDelay = TimeSpan.FromSeconds(4),
                UseJitter = true,
                MaxRetryAttempts = 6,
                OnRetry = args =>
                {
                    args.Outcome.Result?.Dispose();
                    return default;
                },
            })
            .Build();
    }

    /// <summary>POSTs <paramref name="body"/> as JSON to <paramref name="path"/> and reads the answer as <typeparamref name="T"/>.</summary>
    /// <exception cref="CairnException">The server is unreachable, answers an error, or sends an empty body.</exception>
    public Task<T> PostAsync<T>(string path, object body, CancellationToken ct) => SendJsonAsync<T>(HttpMethod.Post, path, body, ct);

    /// <summary>Sends <paramref name="body"/> as JSON with <paramref name="method"/> (PATCH, DELETE ...) and reads the answer as <typeparamref name="T"/>.</summary>
    /// <exception cref="CairnException">The server is unreachable, answers an error, or sends an empty body.</exception>
    public Task<T> SendJsonAsync<T>(HttpMethod method, string path, object body, CancellationToken ct) =>
        SendAsync<T>(() => new HttpRequestMessage(method, Url(path)) { Content = JsonContent.Create(body, body.GetType(), options: CairnJson.Options) }, ct);

    /// <summary>GETs <paramref name="path"/> with the query parameters whose value is not null, and reads the answer as <typeparamref name="T"/>.</summary>
    /// <exception cref="CairnException">The server is unreachable, answers an error, or sends an empty body.</exception>
    public Task<T> GetAsync<T>(string path, IEnumerable<(string Key, string? Value)> query, CancellationToken ct)
    {
        var qs = string.Join('&', query.Where(q => q.Value is not null).Select(q => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(q.Value!)}"));
        var url = qs.Length == 0 ? path : path + "?" + qs;
        return SendAsync<T>(() => new HttpRequestMessage(HttpMethod.Get, Url(url)), ct);
    }

    /// <summary>Sends the request <paramref name="request"/> builds (once per attempt) and reads the JSON answer as <typeparamref name="T"/>.</summary>
    /// <exception cref="CairnException">The server is unreachable, answers an error, or sends an empty body.</exception>
    public async Task<T> SendAsync<T>(Func<HttpRequestMessage> request, CancellationToken ct)
    {
        using var response = await SendRawAsync(request, ct).ConfigureAwait(false);
        var body = await response.Content.ReadFromJsonAsync<T>(CairnJson.Options, ct).ConfigureAwait(false);
        return body ?? throw new CairnException(ErrorCodes.InternalError, $"The server at {BaseUri} sent an empty response.");
    }

    /// <summary>Sends, retrying transient failures; returns a successful response or throws the server's error.</summary>
    public async Task<HttpResponseMessage> SendRawAsync(Func<HttpRequestMessage> request, CancellationToken ct, HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        HttpResponseMessage response;
        try
        {
            response = await _retry.ExecuteAsync(async token =>
            {
                using var message = request(); // a request message can be sent once: build one per attempt
                if (message.RequestUri is { IsAbsoluteUri: false } relative) message.RequestUri = Url(relative.OriginalString);
                return await Http.SendAsync(message, completion, token).ConfigureAwait(false);
            }, ct).ConfigureAwait(false);
        }
        catch (HttpRequestException e) when (e.HttpRequestError == HttpRequestError.SecureConnectionError)
        {
            throw new CairnException(ErrorCodes.InvalidParameterValue, _tls.HandshakeFailure(BaseUri, e), e);
        }
        catch (HttpRequestException e)
        {
            throw new CairnException(ErrorCodes.TemporarilyUnavailable,
                $"Cannot reach the tracking server at {BaseUri}: {e.Message} Check that it is running and that CAIRN_TRACKING_URI is right.", e);
        }
        if (response.IsSuccessStatusCode) return response;
        using (response) throw await ToException(response, ct).ConfigureAwait(false);
    }

    private async Task<CairnException> ToException(HttpResponseMessage response, CancellationToken ct)
    {
        var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        try
        {
            var error = JsonSerializer.Deserialize<ErrorResponse>(text, CairnJson.Options);
            if (error is { ErrorCode: not null, Message: not null }) return new CairnException(error.ErrorCode, error.Message);
        }
        catch (JsonException) { }
        var code = response.StatusCode == HttpStatusCode.NotFound ? ErrorCodes.ResourceDoesNotExist : ErrorCodes.InternalError;
        return new CairnException(code, $"The server at {BaseUri} answered {(int)response.StatusCode} {response.ReasonPhrase}: {Trim(text)}");
    }

    private Uri Url(string path) => new(BaseUri, path.TrimStart('/'));

    private static string Trim(string text) => text.Length > 300 ? text[..300] + "..." : text;

    /// <summary>Disposes the HttpClient if this transport created it.</summary>
    public void Dispose()
    {
        if (_ownsClient) Http.Dispose();
    }
}
