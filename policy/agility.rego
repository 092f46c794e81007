# METADATA
# title: Agility factors
# description: How fast instances must start, how densely they pack, how they scale, ship and perform.
package advise.factors.agility

# METADATA
# title: Sub-second start-up
# description: A container starts in milliseconds because there is no guest operating system to boot, while a virtual machine needs minutes, so only containers can meet a start-up SLA of a second or less.
# custom:
#   id: agility.startup_subsecond
#   kind: reason
#   favors: container
#   weight: 35
#   conflict_side: container
#   summary_zh: 容器无需引导客户机操作系统，可在毫秒级启动，而虚拟机需要数分钟，因此只有容器能满足一秒以内的启动要求。
#   citations:
#     - source: 001_12de2612dfdf4b91.txt
#       locator: 第一次接触Docker的时候
#     - source: 001_12de2612dfdf4b91.txt
#       locator: Docker守护进程可以直接与主操作系统进行通信
#     - source: 004_c47ec412e6d24774.txt
#       locator: Docker守护进程可以直接与主操作系统进行通信
#     - source: 000_52410bb239ef2d82.txt
#       locator: 容器与虚拟机的区别 — 部署和启动时间
reasons[r.custom.id] := r if {
	input.startup_sla_ms <= 1000
	r := rego.metadata.rule()
}

# METADATA
# title: Start-up within seconds
# description: Containers are up in seconds while virtual machines take minutes to boot their operating system, so a start-up SLA under a minute favours containers.
# custom:
#   id: agility.startup_seconds
#   kind: reason
#   favors: container
#   weight: 20
#   conflict_side: container
#   summary_zh: 容器可在数秒内就绪，虚拟机引导操作系统则需数分钟，因此一分钟以内的启动要求更适合容器。
#   citations:
#     - source: 003_681de61063999d7b.txt
#       locator: docker starts up quickly in seconds
#     - source: 002_687a735013d0ae0c.txt
#       locator: 容器与虚拟机之间的区别 — 因为虚拟机包括操作系统
#     - source: 000_52410bb239ef2d82.txt
#       locator: 容器与虚拟机的区别 — 部署和启动时间
reasons[r.custom.id] := r if {
	input.startup_sla_ms > 1000
	input.startup_sla_ms < 60000
	r := rego.metadata.rule()
}

# METADATA
# title: High density
# description: Containers carry no guest operating system (a VM guest can weigh hundreds of megabytes before the application), so far more instances fit on the same hardware.
# custom:
#   id: agility.high_density
#   kind: reason
#   favors: container
#   weight: 25
#   conflict_side: container
#   summary_zh: 容器不携带客户机操作系统（一台虚拟机的客户机系统在应用之外就可能占用数百 MB），因此同样的硬件上可以容纳多得多的实例。
#   citations:
#     - source: 001_12de2612dfdf4b91.txt
#       locator: 从操作系统(Guest Operating System)
#     - source: 003_681de61063999d7b.txt
#       locator: docker is lighter
#     - source: 000_52410bb239ef2d82.txt
#       locator: 总结
#     - source: 002_687a735013d0ae0c.txt
#       locator: 容器与虚拟机之间的区别 — 因为虚拟机包括操作系统
reasons[r.custom.id] := r if {
	input.density == "high"
	r := rego.metadata.rule()
}

# METADATA
# title: Elastic scaling
# description: Containers are allocated in milliseconds rather than minutes, so instances can be added, rebalanced and released as load changes.
# custom:
#   id: agility.elastic_scaling
#   kind: reason
#   favors: container
#   weight: 25
#   conflict_side: container
#   summary_zh: 容器以毫秒级而非分钟级分配，能够随负载变化快速增加、重新平衡和释放实例。
#   citations:
#     - source: 001_12de2612dfdf4b91.txt
#       locator: 容器需要毫秒分配,虚拟机需要几分钟
#     - source: 000_52410bb239ef2d82.txt
#       locator: 总结
reasons[r.custom.id] := r if {
	input.scaling == "elastic"
	r := rego.metadata.rule()
}

# METADATA
# title: Microservices
# description: Running one service per container lets each service be upgraded on its own and makes its performance, failures and cost easier to watch.
# custom:
#   id: agility.microservices
#   kind: reason
#   favors: container
#   weight: 20
#   summary_zh: 每个容器只运行一个服务，使各服务可以独立升级，其性能、故障影响和成本也更容易观察。
#   citations:
#     - source: 000_52410bb239ef2d82.txt
#       locator: 总结
#     - source: 001_12de2612dfdf4b91.txt
#       locator: 如果每个容器运行的只有一个服务或者数据库
#     - source: 002_687a735013d0ae0c.txt
#       locator: 容器的优点 — 2. 提高生产力
reasons[r.custom.id] := r if {
	input.architecture == "microservices"
	r := rego.metadata.rule()
}

# METADATA
# title: Frequent releases
# description: Container images are versioned and the Dockerfile records how each one is built, so frequent releases stay reproducible and roll out quickly.
# custom:
#   id: agility.frequent_releases
#   kind: reason
#   favors: container
#   weight: 15
#   summary_zh: 容器镜像自带版本，Dockerfile 记录了构建过程，因此频繁发布依然可复现且能快速铺开。
#   citations:
#     - source: 002_687a735013d0ae0c.txt
#       locator: 容器的优点 — 3. 版本控制
#     - source: 003_681de61063999d7b.txt
#       locator: Delivery, deployment
reasons[r.custom.id] := r if {
	input.release_frequency in {"weekly", "daily"}
	r := rego.metadata.rule()
}

# METADATA
# title: Environment drift between stages
# description: A container image carries the application together with its runtime, libraries and OS layer, so development, test and production run the same thing.
# custom:
#   id: agility.environment_drift
#   kind: reason
#   favors: container
#   weight: 20
#   summary_zh: 容器镜像把应用连同其运行时、依赖库和操作系统层一起打包，开发、测试与生产运行的是同一份内容。
#   citations:
#     - source: 002_687a735013d0ae0c.txt
#       locator: 容器解决了哪些问题呢?
#     - source: 002_687a735013d0ae0c.txt
#       locator: 容器的优点 — 4. 运行环境可移植
reasons[r.custom.id] := r if {
	input.env_drift_pain
	r := rego.metadata.rule()
}

# METADATA
# title: Near bare-metal performance
# description: Containers have no hypervisor layer and no guest kernel between the application and the hardware, so they run close to bare-metal speed.
# custom:
#   id: agility.near_native_performance
#   kind: reason
#   favors: container
#   weight: 15
#   summary_zh: 容器与硬件之间没有 Hypervisor 层和客户机内核，运行性能接近裸机。
#   citations:
#     - source: 003_681de61063999d7b.txt
#       locator: From an architectural point of view
#     - source: 000_52410bb239ef2d82.txt
#       locator: 容器与虚拟机的区别 — 性能
reasons[r.custom.id] := r if {
	input.performance_sensitive
	r := rego.metadata.rule()
}
