using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Cairn.Artifacts;

namespace Cairn.Storage.S3;

/// <summary>
/// Artifacts in an S3-compatible bucket under a prefix. Files up to <see cref="PartSize"/> are one
/// PUT; larger ones are multipart uploads of that part size, aborted on failure, so an object
/// appears whole or not at all. Credentials come from the usual AWS chain (environment variables,
/// profiles); the endpoint of a non-AWS server from <c>AWS_ENDPOINT_URL_S3</c> or <c>AWS_ENDPOINT_URL</c>.
/// </summary>
public sealed class S3ArtifactStore : IArtifactStore, IDisposable
{
    public const int PartSize = 8 * 1024 * 1024;
    private readonly IAmazonS3 _s3;
    private readonly bool _ownsClient;

    public string Bucket { get; }
    public string Prefix { get; }

    public S3ArtifactStore(IAmazonS3 s3, string bucket, string prefix, bool ownsClient = false)
    {
        _s3 = s3;
        _ownsClient = ownsClient;
        Bucket = bucket;
        Prefix = prefix.Trim('/');
    }

    /// <summary>Opens <c>s3://bucket/prefix</c>; <paramref name="endpoint"/> overrides the environment's endpoint.</summary>
    public static S3ArtifactStore Open(string uri, string? endpoint = null, AWSCredentials? credentials = null)
    {
        if (!uri.StartsWith("s3://", StringComparison.OrdinalIgnoreCase))
            throw CairnException.InvalidParameter($"'{uri}' is not an S3 URI: use s3://bucket/prefix.");
        var rest = uri[5..];
        var slash = rest.IndexOf('/');
        var bucket = slash < 0 ? rest : rest[..slash];
        if (bucket.Length == 0) throw CairnException.InvalidParameter($"'{uri}' names no bucket: use s3://bucket/prefix.");
        var config = new AmazonS3Config
        {
            // Strict S3-compatible servers reject the SDK's newer defaults: send plain signed
            // payloads and checksums only where the API requires them.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        var url = endpoint ?? Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL_S3") ?? Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL");
        if (!string.IsNullOrEmpty(url))
        {
            config.ServiceURL = url;
            config.ForcePathStyle = true;
            config.AuthenticationRegion = Environment.GetEnvironmentVariable("AWS_REGION") ?? "us-east-1";
        }
        AmazonS3Client client;
        try
        {
            client = credentials is null ? new AmazonS3Client(config) : new AmazonS3Client(credentials, config);
        }
        catch (AmazonClientException e)
        {
            throw CairnException.InvalidState($"Cannot open {uri}: {e.Message}. Set AWS_REGION (on AWS) or AWS_ENDPOINT_URL_S3 (an S3-compatible server), and the credentials (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or a profile).");
        }
        return new S3ArtifactStore(client, bucket, slash < 0 ? "" : rest[(slash + 1)..], ownsClient: true);
    }

    private string Key(string relative) => Prefix.Length == 0 ? relative : relative.Length == 0 ? Prefix : Prefix + "/" + relative;

    public async Task PutAsync(string path, Stream content, CancellationToken ct = default)
    {
        var key = Key(ArtifactPath.Normalize(path, allowRoot: false));
        var first = await ReadPart(content, ct).ConfigureAwait(false);
        await Guard(async () =>
        {
            if (first.Length < PartSize)
            {
                await _s3.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = key, InputStream = first, UseChunkEncoding = false, AutoCloseStream = false }, ct).ConfigureAwait(false);
                return;
            }
            await MultipartUpload(key, first, content, ct).ConfigureAwait(false);
        }, path).ConfigureAwait(false);
    }

    private async Task MultipartUpload(string key, MemoryStream first, Stream rest, CancellationToken ct)
    {
        var upload = await _s3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = Bucket, Key = key }, ct).ConfigureAwait(false);
        try
        {
            var parts = new List<PartETag>();
            var part = first;
            for (var number = 1; part.Length > 0; number++)
            {
                var response = await _s3.UploadPartAsync(new UploadPartRequest
                {
                    BucketName = Bucket, Key = key, UploadId = upload.UploadId, PartNumber = number, InputStream = part, PartSize = part.Length, UseChunkEncoding = false,
                }, ct).ConfigureAwait(false);
                parts.Add(new PartETag(number, response.ETag));
                part = await ReadPart(rest, ct).ConfigureAwait(false);
            }
            await _s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest { BucketName = Bucket, Key = key, UploadId = upload.UploadId, PartETags = parts }, ct).ConfigureAwait(false);
        }
        catch
        {
            await _s3.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = Bucket, Key = key, UploadId = upload.UploadId }, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Reads up to one part; a shorter result means the stream has ended.</summary>
    private static async Task<MemoryStream> ReadPart(Stream content, CancellationToken ct)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[81920];
        while (buffer.Length < PartSize)
        {
            var read = await content.ReadAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, PartSize - buffer.Length)), ct).ConfigureAwait(false);
            if (read == 0) break;
            buffer.Write(chunk, 0, read);
        }
        buffer.Position = 0;
        return buffer;
    }

    public async Task<Stream> OpenReadAsync(string path, CancellationToken ct = default)
    {
        var relative = ArtifactPath.Normalize(path, allowRoot: false);
        GetObjectResponse? response = null;
        await Guard(async () => response = await _s3.GetObjectAsync(Bucket, Key(relative), ct).ConfigureAwait(false), relative).ConfigureAwait(false);
        return response!.ResponseStream;
    }

    public async Task<IReadOnlyList<ArtifactFile>> ListAsync(string? path, CancellationToken ct = default)
    {
        var relative = ArtifactPath.Normalize(path);
        var prefix = Key(relative);
        if (prefix.Length > 0) prefix += "/";
        var result = new List<ArtifactFile>();
        var request = new ListObjectsV2Request { BucketName = Bucket, Prefix = prefix, Delimiter = "/" };
        await Guard(async () =>
        {
            do
            {
                var page = await _s3.ListObjectsV2Async(request, ct).ConfigureAwait(false);
                foreach (var folder in page.CommonPrefixes ?? [])
                    result.Add(new ArtifactFile(ArtifactPath.Combine(relative, folder[prefix.Length..].TrimEnd('/')), true, null));
                foreach (var file in page.S3Objects ?? [])
                    if (file.Key.Length > prefix.Length) result.Add(new ArtifactFile(ArtifactPath.Combine(relative, file.Key[prefix.Length..]), false, file.Size));
                request.ContinuationToken = page.IsTruncated == true ? page.NextContinuationToken : null;
            } while (request.ContinuationToken is not null);
        }, relative).ConfigureAwait(false);
        result.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return result;
    }

    /// <summary>S3's errors in Cairn's terms: a missing key is RESOURCE_DOES_NOT_EXIST, bad credentials say so.</summary>
    private async Task Guard(Func<Task> action, string path)
    {
        try
        {
            await action().ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode is "NoSuchKey" or "NotFound")
        {
            throw CairnException.NotFound($"No artifact at '{path}'.");
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            throw new CairnException(ErrorCodes.InvalidState, $"The artifact bucket s3://{Bucket} does not exist ({e.ErrorCode}). Create it or fix --artifacts-destination.", e);
        }
        catch (AmazonS3Exception e) when (e.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized)
        {
            throw new CairnException(ErrorCodes.InvalidState, $"S3 refused access to s3://{Bucket}/{Prefix} ({e.ErrorCode}): check the AWS credentials (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or the profile).", e);
        }
        catch (AmazonServiceException e)
        {
            throw new CairnException(ErrorCodes.TemporarilyUnavailable, $"S3 failed on '{path}': {e.Message}", e);
        }
    }

    public void Dispose()
    {
        if (_ownsClient) _s3.Dispose();
    }
}
