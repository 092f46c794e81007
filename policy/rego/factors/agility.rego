# METADATA
# title: Agility factors
# description: How fast instances must start, how densely they pack, how they scale, ship and perform.
package advise.factors.agility

# METADATA
# title: Sub-second start-up
# description: A new instance must serve within a second. A container is up in milliseconds because there is no guest operating system to boot, while a virtual machine takes minutes, so VMs booted on demand cannot meet this SLA.
# custom:
#   id: agility.startup_subsecond
#   kind: need
#   capability: starts_in_milliseconds
#   weight: 70
#   title_zh: 一秒以内启动
#   summary_zh: 新实例必须在一秒内开始服务。容器无需引导客户机操作系统，毫秒级即可就绪，而虚拟机需要几分钟，因此按需启动的虚拟机无法满足这一要求。
#   citations:
#     - source: 001_12de2612dfdf4b91.txt
#       locator: 第一次接触Docker的时候
#     - source: 001_12de2612dfdf4b91.txt
#       locator: Docker守护进程可以直接与主操作系统进行通信
#     - source: 004_c47ec412e6d24774.txt
#       locator: Docker守护进程可以直接与主操作系统进行通信
#     - source: 000_52410bb239ef2d82.txt
#       locator: 容器与虚拟机的区别 — 部署和启动时间
needs[n.custom.id] := n if {
	input.startup_sla_ms <= 1000
	n := rego.metadata.rule()
}

# METADATA
# title: Start-up within a minute
# description: A new instance must serve within seconds, not minutes. Containers are up in seconds while a virtual machine first boots its operating system, which takes minutes, so VMs booted on demand cannot meet this SLA.
# custom:
#   id: agility.startup_seconds
#   kind: need
#   capability: starts_in_seconds
#   weight: 40
#   title_zh: 一分钟以内启动
#   summary_zh: 新实例必须在数秒而非数分钟内开始服务。容器数秒即可就绪，而虚拟机要先引导操作系统，需要几分钟，因此按需启动的虚拟机无法满足这一要求。
#   citations:
#     - source: 003_681de61063999d7b.txt
#       locator: docker starts up quickly in seconds
#     - source: 002_687a735013d0ae0c.txt
#       locator: 容器与虚拟机之间的区别 — 因为虚拟机包括操作系统
#     - source: 000_52410bb239ef2d82.txt
#       locator: 容器与虚拟机的区别 — 部署和启动时间
needs[n.custom.id] := n if {
	input.startup_sla_ms > 1000
	input.startup_sla_ms < 60000
	n := rego.metadata.rule()
}

# METADATA
# title: High density
# description: Many instances must share each host. Containers carry no guest operating system, which in a VM can weigh hundreds of megabytes before the application, so far more instances fit on the same hardware.
# custom:
#   id: agility.high_density
#   kind: preference
#   capability: density
#   weight: 25
#   title_zh: 高密度
#   summary_zh: 每台主机要容纳大量实例。容器不携带客户机操作系统，而虚拟机的客户机系统在应用之外就可能占用数百 MB，因此同样的硬件上能放下多得多的实例。
#   citations:
#     - source: 001_12de2612dfdf4b91.txt
#       locator: 从操作系统(Guest Operating System)
#     - source: 003_681de61063999d7b.txt
#       locator: docker is lighter
#     - source: 000_52410bb239ef2d82.txt
#       locator: 总结
#     - source: 002_687a735013d0ae0c.txt
#       locator: 容器与虚拟机之间的区别 — 因为虚拟机包括操作系统
preferences[p.custom.id] := p if {
	input.density == "high"
	p := rego.metadata.rule()
}

# METADATA
# title: Elastic scaling
# description: Instances come and go with the load. Containers are allocated in milliseconds rather than minutes, so they can be added, rebalanced and released as quickly as the load changes.
# custom:
#   id: agility.elastic_scaling
#   kind: preference
#   capability: elastic
#   weight: 25
#   title_zh: 弹性伸缩
#   summary_zh: 实例随负载增减。容器的分配以毫秒而非分钟计，可以随负载变化迅速增加、重新平衡和释放。
#   citations:
#     - source: 001_12de2612dfdf4b91.txt
#       locator: 容器需要毫秒分配,虚拟机需要几分钟
#     - source: 000_52410bb239ef2d82.txt
#       locator: 总结
preferences[p.custom.id] := p if {
	input.scaling == "elastic"
	p := rego.metadata.rule()
}

# METADATA
# title: Microservices
# description: Running one service per container lets each service be upgraded on its own and makes its performance, the reach of its failures and its cost easier to watch.
# custom:
#   id: agility.microservices
#   kind: preference
#   capability: one_service_per_unit
#   weight: 20
#   title_zh: 微服务
#   summary_zh: 每个容器只运行一个服务，各服务可以独立升级，其性能、故障波及范围和成本也更容易观察。
#   citations:
#     - source: 000_52410bb239ef2d82.txt
#       locator: 总结
#     - source: 001_12de2612dfdf4b91.txt
#       locator: 如果每个容器运行的只有一个服务或者数据库
#     - source: 002_687a735013d0ae0c.txt
#       locator: 容器的优点 — 2. 提高生产力
preferences[p.custom.id] := p if {
	input.architecture == "microservices"
	p := rego.metadata.rule()
}

# METADATA
# title: Frequent releases
# description: New versions ship weekly or more often. Container images are versioned and a Dockerfile records how each one is built, so frequent releases stay reproducible and roll out quickly across a cluster.
# custom:
#   id: agility.frequent_releases
#   kind: preference
#   capability: versioned_images
#   weight: 15
#   title_zh: 频繁发布
#   summary_zh: 每周或更频繁地发布新版本。容器镜像自带版本，Dockerfile 记录了每个镜像的构建过程，因此频繁发布依然可复现，并能在集群中快速铺开。
#   citations:
#     - source: 002_687a735013d0ae0c.txt
#       locator: 容器的优点 — 3. 版本控制
#     - source: 003_681de61063999d7b.txt
#       locator: Delivery, deployment
preferences[p.custom.id] := p if {
	input.release_frequency in {"weekly", "daily"}
	p := rego.metadata.rule()
}

# METADATA
# title: Environment drift between stages
# description: Releases suffer from differences between development, test and production. A container image carries the application with its runtime, libraries and OS layer, so every stage runs the same thing.
# custom:
#   id: agility.environment_drift
#   kind: preference
#   capability: packaged_environment
#   weight: 20
#   title_zh: 各环境之间的差异
#   summary_zh: 发布受开发、测试与生产环境差异之苦。容器镜像把应用连同运行时、依赖库和操作系统层一起打包，每个环境运行的都是同一份内容。
#   citations:
#     - source: 002_687a735013d0ae0c.txt
#       locator: 容器解决了哪些问题呢?
#     - source: 002_687a735013d0ae0c.txt
#       locator: 容器的优点 — 4. 运行环境可移植
preferences[p.custom.id] := p if {
	input.env_drift_pain
	p := rego.metadata.rule()
}

# METADATA
# title: Near bare-metal performance
# description: The workload needs close to bare-metal speed. Containers have no hypervisor layer and no guest kernel between the application and the hardware, so they lose almost nothing to virtualisation.
# custom:
#   id: agility.near_native_performance
#   kind: preference
#   capability: near_native
#   weight: 15
#   title_zh: 接近裸机的性能
#   summary_zh: 工作负载需要接近裸机的速度。容器与硬件之间没有 Hypervisor 层和客户机内核，几乎不因虚拟化损失性能。
#   citations:
#     - source: 003_681de61063999d7b.txt
#       locator: From an architectural point of view
#     - source: 000_52410bb239ef2d82.txt
#       locator: 容器与虚拟机的区别 — 性能
preferences[p.custom.id] := p if {
	input.performance_sensitive
	p := rego.metadata.rule()
}
