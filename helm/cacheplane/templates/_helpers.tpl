{{/*
Names. Object names are "<fullname>-operator" and "<fullname>-agent"; fullname is the release name
when it already contains the chart name (or nameOverride), else "<release>-<name>"; at most 40
characters, so every derived name stays within the 63 characters of a DNS label.
*/}}
{{- define "cacheplane.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "cacheplane.operator.fullname" -}}
{{- printf "%s-operator" (include "cacheplane.fullname" .) -}}
{{- end -}}

{{- /* The operator's leader election Lease: operator.leaderElection.leaseName, or "<fullname>-operator". */ -}}
{{- define "cacheplane.operator.leaseName" -}}
{{- default (include "cacheplane.operator.fullname" .) .Values.operator.leaderElection.leaseName -}}
{{- end -}}

{{- define "cacheplane.agent.fullname" -}}
{{- printf "%s-agent" (include "cacheplane.fullname" .) -}}
{{- end -}}

{{/* Cluster-scoped names must be unique across namespaces: they include the release namespace. */}}
{{- define "cacheplane.operator.clusterName" -}}
{{- printf "%s-%s-operator" .Release.Namespace (include "cacheplane.fullname" .) -}}
{{- end -}}

{{- define "cacheplane.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Refuses labels that would surprise Argo CD: "app.kubernetes.io/instance" is Argo CD's default
tracking label, and agents copy their pod labels onto the Leases they create; a generated object
carrying the tracking label is taken for part of the Application (and pruned or shown OutOfSync).
values.schema.json refuses it too; this check also holds with --skip-schema-validation.
*/}}
{{- define "cacheplane.checkLabels" -}}
{{- range $where, $labels := . -}}
{{- if hasKey ($labels | default dict) "app.kubernetes.io/instance" -}}
{{- fail (printf "%s: the label app.kubernetes.io/instance is not allowed (Argo CD's tracking label; agents copy pod labels onto their Leases)" $where) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
Labels of every object the chart creates (metadata.labels). Argument: (list root component).
Deliberately without "app.kubernetes.io/instance": see cacheplane.checkLabels; the release is
named by "cacheplane.io/release" instead. commonLabels never override the chart's own labels.
*/}}
{{- define "cacheplane.labels" -}}
{{- $root := index . 0 -}}
{{- $labels := dict
  "helm.sh/chart" (include "cacheplane.chart" $root)
  "app.kubernetes.io/name" (printf "cacheplane-%s" (index . 1))
  "app.kubernetes.io/component" (index . 1)
  "app.kubernetes.io/part-of" "cacheplane"
  "app.kubernetes.io/managed-by" $root.Release.Service
  "cacheplane.io/release" ($root.Release.Name | trunc 63 | trimSuffix "-") -}}
{{- with $root.Chart.AppVersion }}
{{- $_ := set $labels "app.kubernetes.io/version" . -}}
{{- end }}
{{- toYaml (merge $labels ($root.Values.commonLabels | default dict)) -}}
{{- end -}}

{{/*
Selector labels: immutable in a Deployment, so they never contain the chart or app version.
The agent's "app.kubernetes.io/name: cacheplane-agent" is fixed: the examples' agentSelector uses it.
*/}}
{{- define "cacheplane.operator.selectorLabels" -}}
app.kubernetes.io/name: cacheplane-operator
app.kubernetes.io/component: operator
cacheplane.io/release: {{ .Release.Name | trunc 63 | trimSuffix "-" | quote }}
{{- end -}}

{{- define "cacheplane.agent.selectorLabels" -}}
app.kubernetes.io/name: cacheplane-agent
app.kubernetes.io/component: agent
cacheplane.io/release: {{ .Release.Name | trunc 63 | trimSuffix "-" | quote }}
{{- end -}}

{{/*
Pod template labels: selector labels + part-of + podLabels (which never override the chart's). No
chart or app version (a chart upgrade alone must not restart pods) and no
app.kubernetes.io/instance (agents copy their pod labels onto their Leases).
*/}}
{{- define "cacheplane.operator.podLabels" -}}
{{- $labels := include "cacheplane.operator.selectorLabels" . | fromYaml -}}
{{- $_ := set $labels "app.kubernetes.io/part-of" "cacheplane" -}}
{{- toYaml (merge $labels (.Values.operator.podLabels | default dict)) -}}
{{- end -}}

{{- define "cacheplane.agent.podLabels" -}}
{{- $labels := include "cacheplane.agent.selectorLabels" . | fromYaml -}}
{{- $_ := set $labels "app.kubernetes.io/part-of" "cacheplane" -}}
{{- toYaml (merge $labels (.Values.agent.podLabels | default dict)) -}}
{{- end -}}

{{- define "cacheplane.operator.serviceAccountName" -}}
{{- if .Values.operator.serviceAccount.create -}}
{{- default (include "cacheplane.operator.fullname" .) .Values.operator.serviceAccount.name -}}
{{- else -}}
{{- required "operator.serviceAccount.name is required when operator.serviceAccount.create is false" .Values.operator.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "cacheplane.agent.serviceAccountName" -}}
{{- if .Values.agent.serviceAccount.create -}}
{{- default (include "cacheplane.agent.fullname" .) .Values.agent.serviceAccount.name -}}
{{- else -}}
{{- required "agent.serviceAccount.name is required when agent.serviceAccount.create is false" .Values.agent.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* image: "<repository>@<digest>" or "<repository>:<tag or appVersion>". Argument: the image values + root. */}}
{{- define "cacheplane.image" -}}
{{- $image := index . 0 -}}
{{- $root := index . 1 -}}
{{- if $image.digest -}}
{{- printf "%s@%s" $image.repository $image.digest -}}
{{- else -}}
{{- printf "%s:%s" $image.repository (default $root.Chart.AppVersion $image.tag) -}}
{{- end -}}
{{- end -}}

{{- define "cacheplane.imagePullSecrets" -}}
{{- range .Values.imagePullSecrets -}}
{{- if kindIs "string" . }}
- name: {{ . | quote }}
{{- else }}
- name: {{ .name | quote }}
{{- end }}
{{- end }}
{{- end -}}

{{/* An HTTP probe on the management port. Arguments: path, probe values. */}}
{{- define "cacheplane.httpProbe" -}}
{{- $path := index . 0 -}}
{{- $p := index . 1 -}}
httpGet:
  path: {{ $path }}
  port: management
initialDelaySeconds: {{ $p.initialDelaySeconds }}
periodSeconds: {{ $p.periodSeconds }}
timeoutSeconds: {{ $p.timeoutSeconds }}
failureThreshold: {{ $p.failureThreshold }}
{{- end -}}

{{/*
"true" when the agents get an upstream CA bundle (agent.upstreamCA from a ConfigMap or a Secret), else "".
Both names set is refused by values.schema.json; fail here too for charts rendered without schema validation.
*/}}
{{- define "cacheplane.agent.upstreamCA" -}}
{{- $ca := .Values.agent.upstreamCA -}}
{{- if and $ca.configMapName $ca.secretName -}}
{{- fail "agent.upstreamCA: set configMapName or secretName, not both" -}}
{{- end -}}
{{- if or $ca.configMapName $ca.secretName -}}true{{- end -}}
{{- end }}
